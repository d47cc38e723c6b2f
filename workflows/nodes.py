"""Multi-instance split for open-source viewflow 2.4 (its `data_source` is PRO-only).

`MultiSplit().Next(node, data_source=callable)` creates one task of `node` per item the
callable returns for the activation; each gets `task.data = item` and its own split token,
so a plain `Join` waits for all of them. Uses viewflow internals: viewflow is pinned.
"""

from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import Split, SplitActivation


class MultiSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            items = data_source(self) if data_source else [None]
            self.next_tasks.extend((node, item) for item in items)
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class MultiSplit(Split):
    activation_class = MultiSplitActivation

    def Next(self, node, case=None, data_source=None):
        self._activate_next.append((node, case, data_source))
        return self
