"""`make loadtest`'s users: every demo role logs in (the login form, CSRF included) and then walks its
main pages; anonymous visitors read the public notices. URLs come from the runner (LOADTEST_PAGES, JSON)."""

import json
import os
import re

from locust import HttpUser, between, task

PAGES = json.loads(os.environ["LOADTEST_PAGES"])
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "pocflow-demo")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class RoleUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text)
        self.client.post("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": token.group(1) if token else ""},
                         headers={"Referer": self.host + "/accounts/login/"}, name="login")

    @task
    def walk(self):
        for name, url in PAGES[self.username]:
            self.client.get(url, name=name)


class Researcher(RoleUser):
    username = "researcher"


class Expert(RoleUser):
    username = "expert1"


class Officer(RoleUser):
    username = "officer"


class Chair(RoleUser):
    username = "chair"


class FundManager(RoleUser):
    username = "fundmanager"


class Visitor(HttpUser):
    wait_time = between(1, 3)

    @task
    def notices(self):
        for name, url in PAGES["anonymous"]:
            self.client.get(url, name=name)
