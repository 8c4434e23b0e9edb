"""Cheap whole-text searches that pick the lines worth handing to a detector.

detect-secrets' patterns are written for one line at a time; many start with look-behinds and
long alternations under ``IGNORECASE``, which Python's ``re`` tries at every position of a text.
Each gate below is a *relaxation* of one pattern (whatever the pattern matches, the gate matches
inside it), written so that ``re`` can jump from one literal to the next. A detector then runs
only on the lines its gates matched, so a gate can make a scan faster but never change what it
finds. A pattern that is not in the table (a newer detect-secrets) is its own gate.

Gates marked ``lower`` are written in lower case for text that was lower-cased, which is exact
for ASCII; other text is searched with the same gate under ``IGNORECASE`` (a relaxation of the
``IGNORECASE`` pattern it stands for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["ASSIGNMENT_GATES", "Gate", "Haystack", "gates_for"]

_TOKEN_OP = r"[\"']?\]? *[=: ][ =>:]*[\"']?"


class Haystack:
    """A published text, its lower-cased copy when that is exact (ASCII), and which of the
    gates' literals it holds (``in`` is many times faster than a regex search)."""

    __slots__ = ("_found", "lowered", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower() if text.isascii() else None
        self._found: dict[str, bool] = {}

    def holds(self, needle: str) -> bool:
        """Whether ``needle`` occurs in the text (in its lower-cased copy when lower case)."""
        found = self._found.get(needle)
        if found is None:
            hay = self.lowered if needle.islower() and self.lowered is not None else self.text
            found = self._found[needle] = needle in hay
        return found


@dataclass(frozen=True, slots=True)
class Gate:
    """One search of a published text; ``lower`` gates search its lower-cased copy."""

    pattern: re.Pattern[str]
    lower: bool = False
    #: The same search for text whose lower-cased copy is not exact (not ASCII).
    any_case: re.Pattern[str] | None = None
    #: Literals of which every match holds one; without any of them the search is skipped.
    needles: tuple[str, ...] = ()
    #: When given, a line is picked only if it holds one of these too, and the text is not
    #: searched with the pattern: the lines holding a needle are (the pattern's matches must
    #: then lie within one line).
    line_needles: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        pattern: str,
        *,
        lower: bool = False,
        flags: int = 0,
        needles: tuple[str, ...] = (),
        line_needles: tuple[str, ...] = (),
    ) -> Gate:
        """Compile ``pattern`` (with ``^`` and ``$`` meaning "line")."""
        flags |= re.MULTILINE
        any_case = re.compile(pattern, flags | re.IGNORECASE) if lower else None
        return cls(re.compile(pattern, flags), lower, any_case, needles, line_needles)

    def finditer(self, hay: Haystack) -> Iterator[re.Match[str]]:
        """The matches in a text."""
        found = self.target(hay)
        if found is None:
            return iter(())
        pattern, text = found
        return pattern.finditer(text)

    def target(self, hay: Haystack) -> tuple[re.Pattern[str], str] | None:
        """The pattern and the text to search it in; None when no needle is there."""
        if not self.lower:
            if self.needles and not any(hay.holds(n) for n in self.needles):
                return None
            return self.pattern, hay.text
        if hay.lowered is not None:
            if self.needles and not any(hay.holds(n) for n in self.needles):
                return None
            return self.pattern, hay.lowered
        assert self.any_case is not None
        return self.any_case, hay.text


# Keyed by detect-secrets' own pattern text: if a release changes a pattern, its gate is dropped.
_TABLE: dict[str, tuple[str | None, bool, tuple[str, ...]]] = {
    # ArtifactoryDetector
    r'(?:\s|=|:|"|^)AKC[a-zA-Z0-9]{10,}(?:\s|"|$)': (r"AKC[a-zA-Z0-9]{10}", False, ("AKC",)),
    r'(?:\s|=|:|"|^)AP[\dABCDEF][a-zA-Z0-9]{8,}(?:\s|"|$)': (
        r"AP[\dABCDEF][a-zA-Z0-9]{8}",
        False,
        ("AP",),
    ),
    # AWSKeyDetector (the second pattern is IGNORECASE)
    r"aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?[\'\"]([0-9a-zA-Z/+]{40})[\'\"]": (
        r"aws",
        True,
        ("aws",),
    ),
    # CloudantDetector (IGNORECASE)
    r"""(?:(?<=\W)|(?<=^))(?:\[|)(?:"|\'|)(?:cloudant|cl|clou)(?:_|-|)(?:api|)(?:key|pwd|pw|password|pass|token)(?:"|\'|)(?:\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:"|\'|)([0-9a-f]{64})(?:"|\'|)""": (
        r"cl(?:oudant|ou)?[_-]?(?:api)?(?:key|pw|pass|token)",
        True,
        ("key", "pw", "pass", "token"),
    ),
    r"""(?:(?<=\W)|(?<=^))(?:\[|)(?:"|\'|)(?:cloudant|cl|clou)(?:_|-|)(?:api|)(?:key|pwd|pw|password|pass|token)(?:"|\'|)(?:\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:"|\'|)([a-z]{24})(?:"|\'|)""": (
        r"cl(?:oudant|ou)?[_-]?(?:api)?(?:key|pw|pass|token)",
        True,
        ("key", "pw", "pass", "token"),
    ),
    r"(?:https?\:\/\/)[\w\-]+\:([0-9a-f]{64})\@[\w\-]+\.cloudant\.com": (
        r"\.cloudant\.com",
        True,
        ("cloudant",),
    ),
    r"(?:https?\:\/\/)[\w\-]+\:([a-z]{24})\@[\w\-]+\.cloudant\.com": (
        r"\.cloudant\.com",
        True,
        ("cloudant",),
    ),
    # DiscordBotTokenDetector
    r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}": (
        r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}",
        False,
        (),
    ),
    # IbmCloudIamDetector (IGNORECASE): every part before the keyword is optional.
    r"""(?:(?<=\W)|(?<=^))(?:\[|)(?:"|\'|)(?:ibm(?:_|-|)cloud(?:_|-|)iam|cloud(?:_|-|)iam|ibm(?:_|-|)cloud|ibm(?:_|-|)iam|ibm|iam|cloud|)(?:_|-|)(?:api|)(?:_|-|)(?:key|pwd|password|pass|token)(?:"|\'|)(?:\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:"|\'|)([a-zA-Z0-9_\-]{44}(?![a-zA-Z0-9_\-]))(?:"|\'|)""": (
        rf"(?:key|pw|pass|token){_TOKEN_OP}[a-z0-9_-]{{44}}",
        True,
        ("key", "pw", "pass", "token"),
    ),
    # IbmCosHmacDetector (IGNORECASE)
    r"""(?:(?<=\W)|(?<=^))(?:\[|)(?:"|\'|)(?:(?:ibm)?[-_]?cos[-_]?(?:hmac)?|)(?:_|-|)(?:secret[-_]?(?:access)?[-_]?key)(?:"|\'|)(?:\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:"|\'|)([a-f0-9]{48}(?![a-f0-9]))(?:"|\'|)""": (
        r"secret[-_]?(?:access)?[-_]?key",
        True,
        ("secret",),
    ),
    # MailchimpDetector
    r"[0-9a-z]{32}-us[0-9]{1,2}": (r"-us[0-9]", False, ("-us",)),
    # NpmDetector
    r"\/\/.+\/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*": (
        r"/:_authToken=",
        False,
        ("/:_authToken=",),
    ),
    # OpenAIDetector
    r"sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}": (r"T3BlbkFJ", False, ("T3BlbkFJ",)),
    # SlackDetector (IGNORECASE)
    r"xox(?:a|b|p|o|s|r)-(?:\d+-)+[a-z0-9]+": (r"xox[abposr]-", True, ("xox",)),
    r"https://hooks\.slack\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+": (
        r"hooks\.slack\.com",
        True,
        ("hooks.slack.com",),
    ),
    # SoftlayerDetector (IGNORECASE)
    r"""(?:(?<=\W)|(?<=^))(?:\[|)(?:"|\'|)(?:softlayer|sl)(?:_|-|)(?:api|)(?:_|-|)(?:key|pwd|password|pass|token)(?:"|\'|)(?:\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:"|\'|)([a-z0-9]{64})(?:"|\'|)""": (
        r"(?:softlayer|sl)[_-]?(?:api)?[_-]?(?:key|pw|pass|token)",
        True,
        ("key", "pw", "pass", "token"),
    ),
    r"(?:http|https)://api.softlayer.com/soap/(?:v3|v3.1)/([a-z0-9]{64})": (
        r"softlayer",
        True,
        ("softlayer",),
    ),
    # StripeDetector
    r"(?:r|s)k_live_[0-9a-zA-Z]{24}": (r"k_live_", False, ("k_live_",)),
    # TelegramBotTokenDetector
    r"\d{8,10}:[0-9A-Za-z_-]{35}": (r":[0-9A-Za-z_-]{35}", False, (":",)),
    # Patterns that are their own gate, searched only when one of their literals is there.
    r"AccountKey=[a-zA-Z0-9+\/=]{88}": (None, False, ("AccountKey=",)),
    r"eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.?[A-Za-z0-9-_.+/=]*?": (None, False, ("eyJ",)),
    r"(glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\-]{20,50}(?!\w)": (
        None,
        False,
        ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-"),
    ),
    r"GR1348941[A-Za-z0-9_\-]{20,50}(?!\w)": (None, False, ("GR1348941",)),
    r"glcbt-([0-9a-fA-F]{2}_)?[A-Za-z0-9_\-]{20,50}(?!\w)": (None, False, ("glcbt-",)),
    r"glimt-[A-Za-z0-9_\-]{25}(?!\w)": (None, False, ("glimt-",)),
    r"glptt-[A-Za-z0-9_\-]{40}(?!\w)": (None, False, ("glptt-",)),
    r"glagent-[A-Za-z0-9_\-]{50,1024}(?!\w)": (None, False, ("glagent-",)),
    r"gloas-[A-Za-z0-9_\-]{64}(?!\w)": (None, False, ("gloas-",)),
    r"BEGIN DSA PRIVATE KEY": (None, False, ("BEGIN",)),
    r"BEGIN EC PRIVATE KEY": (None, False, ("BEGIN",)),
    r"BEGIN OPENSSH PRIVATE KEY": (None, False, ("BEGIN",)),
    r"BEGIN PGP PRIVATE KEY BLOCK": (None, False, ("BEGIN",)),
    r"BEGIN PRIVATE KEY": (None, False, ("BEGIN",)),
    r"BEGIN RSA PRIVATE KEY": (None, False, ("BEGIN",)),
    r"BEGIN SSH2 ENCRYPTED PRIVATE KEY": (None, False, ("BEGIN",)),
    r"PuTTY-User-Key-File-2": (None, False, ("PuTTY-User-Key-File-2",)),
    r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9-_]{70,}": (None, False, ("pypi-",)),
    r"pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9-_]{70,}": (None, False, ("pypi-",)),
    r"SG\.[a-zA-Z0-9_-]{22}\.[a-zA-Z0-9_-]{43}": (None, False, ("SG.",)),
    r"sq0csp-[0-9A-Za-z\\\-_]{43}": (None, False, ("sq0csp-",)),
    r"AC[a-z0-9]{32}": (None, False, ("AC",)),
    r"SK[a-z0-9]{32}": (None, False, ("SK",)),
    r"://[^:/\?\#\[\]@!\$\&'\(\)\*\+,;=\s]+:([^:/\?\#\[\]@!\$\&'\(\)\*\+,;=\s]+)@": (
        None,
        False,
        ("://",),
    ),
}

#: The lines where ``_ASSIGNMENT`` can match with a value that could be a secret: an ``=``,
#: a ``: ``, or a flag whose name sounds secret or names a user (``-u user:pass``) before a
#: space. Flags with ``=`` are found by the first gate. None of them matches a line break, so
#: the lines they pick are found with one search per line (see ``_Published.lines_with``).
ASSIGNMENT_GATES = (
    Gate.of(r"=|:[ \t]"),
    Gate.of(r"-[a-z][\w.-]*?(?:pass|pwd|secret|token|key|auth|credential|bearer)", lower=True),
    Gate.of(r"-u[ \t]|--user[ \t]", needles=("-u", "--user")),
)


def gates_for(pattern: re.Pattern[str]) -> Gate:
    """The gate of one of detect-secrets' patterns (the pattern itself when none is known)."""
    gate, lower, needles = _TABLE.get(pattern.pattern, (None, False, ()))
    if gate is None:
        return Gate(re.compile(pattern.pattern, pattern.flags | re.MULTILINE), needles=needles)
    return Gate.of(gate, lower=lower, needles=needles)
