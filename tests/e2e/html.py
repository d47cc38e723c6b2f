"""Read the forms a page renders, so tests post exactly what a browser would."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Button:
    name: str | None
    value: str
    formaction: str | None


@dataclass
class HtmlForm:
    action: str
    method: str
    enctype: str
    names: set = field(default_factory=set)  # every control name the form renders
    defaults: list = field(default_factory=list)  # (name, value) a browser sends without edits
    options: dict = field(default_factory=dict)  # name -> values offered by radios, checkboxes, selects
    buttons: list = field(default_factory=list)

    def data(self, **values):
        """The browser's submission with `values` typed in; a name the form lacks is an error."""
        unknown = sorted(set(values) - self.names)
        if unknown:
            raise KeyError(f"the form renders no control named {unknown}; it has {sorted(self.names)}")
        data: dict = {}
        for name, value in self.defaults:
            if name not in values:
                data.setdefault(name, []).append(value)
        for name, value in values.items():
            offered = self.options.get(name)
            chosen = value if isinstance(value, (list, tuple)) else [value]
            if offered is not None:
                missing = [str(v) for v in chosen if str(v) not in offered]
                if missing:
                    raise ValueError(f"{name}: {missing} not among the rendered choices {offered}")
            data[name] = list(chosen)
        return {k: v[0] if len(v) == 1 else v for k, v in data.items()}

    def button(self, name):
        [found] = [b for b in self.buttons if b.name == name]
        return found

    def press(self, name):
        """What the named submit button adds to the submission."""
        return {name: self.button(name).value}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._textarea: tuple[str, list] | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(action=a.get("action", ""), method=a.get("method", "get").lower(),
                                  enctype=a.get("enctype", "application/x-www-form-urlencoded"))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                form.buttons.append(Button(name, a.get("value", ""), a.get("formaction")))
                return
            if not name:
                return
            form.names.add(name)
            if kind in ("checkbox", "radio"):
                form.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.defaults.append((name, a.get("value", "on")))
            elif kind != "file":
                form.defaults.append((name, a.get("value", "")))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                form.buttons.append(Button(name or None, a.get("value", ""), a.get("formaction")))
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = (name, [])
        elif tag == "select" and name:
            form.names.add(name)
            self._select = {"name": name, "multiple": "multiple" in a, "values": [], "selected": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": [], "selected": "selected" in a}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def _close_option(self):
        if self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else "".join(self._option["text"]).strip()
            self._select["values"].append(value)
            if self._option["selected"]:
                self._select["selected"].append(value)
        self._option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            text = "".join(parts)
            self._form.defaults.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._close_option()
            s = self._select
            self._form.options[s["name"]] = s["values"]
            chosen = s["selected"] or ([] if s["multiple"] or not s["values"] else s["values"][:1])
            self._form.defaults.extend((s["name"], v) for v in chosen)
            self._select = None


def forms_in(response) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def page_form(response, *, action=None, has=None) -> HtmlForm:
    """The one POST form on the page with this action (`""` = posts to the page itself) or control name."""
    found = [
        f for f in forms_in(response)
        if f.method == "post" and (action is None or f.action == action) and (has is None or has in f.names)
    ]
    if len(found) != 1:
        raise AssertionError(f"expected one form (action={action!r}, has={has!r}); found {len(found)}")
    return found[0]
