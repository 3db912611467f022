"""Structuring a (redacted) CV into roles, skills, achievements and STAR stories.

Real providers get the prompt below; the offline partner does honest line-by-line extraction:
role lines by job-title words, skills from a keyword list and a "Skills:" line, achievements by
numbers and action verbs, and one STAR story per achievement with the parts it cannot infer left
empty and named in `gaps`.
"""

import re

from pydantic import BaseModel, Field

from ai import offline_handler

MAX_STORIES = 6


class Role(BaseModel):
    title: str = Field(max_length=200)
    organisation: str = Field(default="", max_length=200)
    period: str = Field(default="", max_length=50)


class StructuredProfile(BaseModel):
    roles: list[Role] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=50)
    achievements: list[str] = Field(default_factory=list, max_length=30)


class Story(BaseModel):
    title: str = Field(max_length=200)
    situation: str = Field(default="", max_length=1000)
    task: str = Field(default="", max_length=1000)
    action: str = Field(default="", max_length=1000)
    result: str = Field(default="", max_length=1000)
    tags: list[str] = Field(default_factory=list, max_length=10)
    gaps: list[str] = Field(default_factory=list, description="STAR parts the CV does not say; the learner fills them")


class CVStructure(BaseModel):
    structured_profile: StructuredProfile
    story_bank: list[Story] = Field(default_factory=list, max_length=MAX_STORIES)


class CVRequest(BaseModel):
    cv_text: str
    focus_tags: list[str] = Field(default_factory=list)


def cv_messages(request: CVRequest) -> list[dict]:
    """The prompt for real providers: the schema in words, then the redacted CV."""
    return [
        {
            "role": "system",
            "content": "You turn a CV into JSON for interview practice. Personal details were replaced by "
            "placeholders such as [NAME] or [EMAIL]; keep them as they are and never guess them. Answer as JSON: "
            '{"structured_profile": {"roles": [{"title", "organisation", "period"}], "skills": [...], '
            '"achievements": [...]}, "story_bank": [{"title", "situation", "task", "action", "result", '
            f'"tags": [...], "gaps": [...]}}]}}. At most {MAX_STORIES} STAR stories, drawn only from the CV; '
            "leave a part empty and name it in gaps when the CV does not say it. "
            f"Prefer stories about: {', '.join(request.focus_tags) or 'any strong achievement'}.",
        },
        {"role": "user", "content": request.cv_text},
    ]


SKILLS = [
    "Python", "Django", "FastAPI", "Flask", "JavaScript", "TypeScript", "React", "Vue", "Node.js", "Java",
    "Kotlin", "Go", "Rust", "C++", "C#", ".NET", "Ruby", "PHP", "Swift", "SQL", "PostgreSQL", "MySQL",
    "MongoDB", "Redis", "Kafka", "Docker", "Kubernetes", "Terraform", "AWS", "GCP", "Azure", "Linux", "Git",
    "CI/CD", "Machine Learning", "Data Analysis", "Excel", "Tableau", "Power BI", "Salesforce", "HubSpot",
    "Figma", "Agile", "Scrum", "Kanban", "Project Management", "Product Management", "Stakeholder Management",
    "Negotiation", "Public Speaking", "Leadership", "Mentoring", "Budgeting", "Forecasting", "SEO",
    "Marketing", "Customer Success", "Recruiting", "UX Research", "Copywriting",
]  # fmt: skip
_ROLE_WORDS = re.compile(
    r"(?i)\b(engineer|developer|manager|director|lead|head|analyst|designer|consultant|officer|specialist|"
    r"intern|scientist|architect|coordinator|administrator|representative|executive|associate|founder|"
    r"owner|teacher|nurse|accountant|recruiter|account manager|vp|cto|ceo|cfo)\b"
)
_VERBS = (
    "led|built|increased|reduced|launched|delivered|designed|managed|improved|cut|grew|migrated|created|"
    "negotiated|won|saved|drove|shipped|automated|introduced|developed|implemented|scaled|closed|mentored|"
    "trained|organised|organized|raised|resolved|streamlined|achieved|boosted|lowered"
)
_ACTION = re.compile(rf"(?i)^(?:{_VERBS})\b")
_HAS_VERB = re.compile(rf"(?i)\b(?:{_VERBS})\b")
_NUMBER = re.compile(r"\d")
_PERIOD = re.compile(r"(?i)\b((?:19|20)\d\d)\s*(?:-|–|—|to)\s*((?:19|20)\d\d|present|now|today)\b")
_BULLET = re.compile(r"^\s*(?:[-*•·▪‣]|\d+[.)])\s+")
_RESULT_SPLIT = re.compile(r"(?i),\s*|\s+(?=(?:by|resulting in|cutting|saving|raising|reaching|leading to)\b)")
_SKILLS_LINE = re.compile(r"(?im)^\s*(?:skills|technologies|tools|stack)\s*:\s*(.+)$")


def _role_from(line: str) -> Role | None:
    if _BULLET.match(line) or not _ROLE_WORDS.search(line) or len(line) > 160 or ":" in line:
        return None
    period_match = _PERIOD.search(line)
    period = f"{period_match.group(1)}-{period_match.group(2)}" if period_match else ""
    head = _PERIOD.sub("", line).strip(" ()[],|-–—")
    parts = re.split(r"\s*(?:,|\bat\b|@|\||–|—)\s*", head, maxsplit=1)
    title = parts[0].strip()
    organisation = parts[1].strip(" ()") if len(parts) > 1 else ""
    return Role(title=title[:200], organisation=organisation[:200], period=period) if title else None


def _skills_in(text: str) -> list[str]:
    found = [s for s in SKILLS if re.search(rf"(?<![\w+#.]){re.escape(s)}(?![\w+#])", text, re.IGNORECASE)]
    for line in _SKILLS_LINE.findall(text):
        found += [item.strip(" .") for item in re.split(r"[,;/|]", line) if item.strip(" .")]
    return list(dict.fromkeys(s[:60] for s in found))[:50]


def _story_from(achievement: str, role: Role | None, tags: list[str]) -> Story:
    pieces = [p.strip() for p in _RESULT_SPLIT.split(achievement) if p and p.strip()]
    action = pieces[0] if pieces else achievement
    result = " ".join(p for p in pieces[1:] if _NUMBER.search(p)) or (
        action if _NUMBER.search(action) and len(pieces) == 1 else ""
    )
    task = ""
    if match := re.search(r"(?i)\bto\s+(.+)$", action):
        task = f"To {match.group(1)}"
    situation = f"As {role.title}" + (f" at {role.organisation}" if role.organisation else "") if role else ""
    gaps = [name for name, value in (("situation", situation), ("task", task), ("result", result)) if not value]
    title = " ".join(achievement.split()[:8])
    return Story(
        title=title[:200],
        situation=situation[:1000],
        task=task[:1000],
        action=action[:1000],
        result=result[:1000],
        tags=tags[:10],
        gaps=gaps,
    )


@offline_handler("cv_structure")
def cv_structure_offline(request: CVRequest) -> CVStructure:
    """Honest extraction by rules; it never invents a part of a story the CV does not state."""
    roles: list[Role] = []
    achievements: list[tuple[str, Role | None]] = []
    for raw in request.cv_text.splitlines():
        line = raw.strip()
        if not line:
            continue
        role = _role_from(line)
        if role is not None:
            roles.append(role)
            continue
        body = _BULLET.sub("", line).strip()
        if (_NUMBER.search(body) and _HAS_VERB.search(body)) or (_BULLET.match(line) and _ACTION.match(body)):
            achievements.append((body, roles[-1] if roles else None))
    ranked = sorted(achievements, key=lambda item: not _NUMBER.search(item[0]))
    stories = [_story_from(text, role, request.focus_tags) for text, role in ranked[:MAX_STORIES]]
    return CVStructure(
        structured_profile=StructuredProfile(
            roles=roles[:20], skills=_skills_in(request.cv_text), achievements=[a for a, _ in achievements][:30]
        ),
        story_bank=stories,
    )
