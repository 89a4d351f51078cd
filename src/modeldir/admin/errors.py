"""Admin errors beyond the wire's own."""

from __future__ import annotations

from modeldir.catalogue.document import Problem
from modeldir.wire.errors import InvalidRequestError


class InvalidCatalogue(InvalidRequestError):
    """A catalogue document with problems: all of them, in the message and in `details`."""

    SHOWN = 20

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(map(str, problems[: self.SHOWN]))
        more = f"; and {len(problems) - self.SHOWN} more" if len(problems) > self.SHOWN else ""
        super().__init__(
            f"invalid catalogue: {len(problems)} problem(s): {shown}{more}",
            details={
                "problems": [{"location": p.location, "message": p.message} for p in problems]
            },
        )
