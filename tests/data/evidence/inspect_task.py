"""A three-sample Inspect AI task that runs offline: the solver answers without a model
call (this Inspect's mockllm counts tokens with tiktoken, which downloads its encoding)."""

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ModelOutput
from inspect_ai.scorer import includes, match
from inspect_ai.solver import Generate, Solver, TaskState, solver


@solver
def canned() -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.output = ModelOutput.from_content("mockllm/model", "billing")
        return state

    return solve


@task
def triage() -> Task:
    return Task(
        dataset=[
            Sample(input="Route: my invoice is wrong", target="billing"),
            Sample(input="Route: I cannot log in", target="account"),
            Sample(input="Route: refund please", target="billing"),
            Sample(input="Route: charged twice", target="billing"),
        ],
        solver=canned(),
        scorer=[match(location="any"), includes()],
    )
