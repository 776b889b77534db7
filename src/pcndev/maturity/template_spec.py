"""Matrix templates as plain data, read from and written to YAML with every problem reported at once.

Pure Python (PyYAML only). Paths in messages follow the file, e.g. "areas[2].elements[0].descriptors".
"""

import re
from dataclasses import dataclass, field

import yaml

from pcndev.maturity.scoring import EXTERNAL, INTERNAL

MAX_BYTES = 256 * 1024
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
TAGS = (INTERNAL, EXTERNAL)


@dataclass
class ElementSpec:
    code: str
    title: str
    tag: str
    descriptors: list[str]


@dataclass
class AreaSpec:
    code: str
    title: str
    tag: str
    elements: list[ElementSpec] = field(default_factory=list)


@dataclass
class TemplateSpec:
    name: str
    stages: list[str]
    areas: list[AreaSpec]
    description: str = ""
    version: int | None = None

    @property
    def element_count(self) -> int:
        return sum(len(a.elements) for a in self.areas)


class SpecError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _text(problems, where: str, value, limit: int, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{where}: is required")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: must be text")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: must be {limit} characters or fewer")
    return value.strip()


def _code(problems, where: str, value, seen: set[str]) -> str:
    if not isinstance(value, str) or not CODE.match(value):
        problems.append(f"{where}: must be lowercase letters, digits and hyphens (up to 40), e.g. leadership")
        return ""
    if value in seen:
        problems.append(f"{where}: {value} is used more than once")
    seen.add(value)
    return value


def _tag(problems, where: str, value, default: str | None) -> str:
    if value is None and default is not None:
        return default
    if value not in TAGS:
        problems.append(f"{where}: must be internal or external")
        return default or INTERNAL
    return value


def _list(problems, where: str, value) -> list:
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: must be a list with at least one entry")
        return []
    return value


def _mapping(problems, where: str, value) -> dict:
    if not isinstance(value, dict):
        problems.append(f"{where}: must be a mapping of keys to values")
        return {}
    return value


def _stages(problems, raw) -> list[str]:
    stages = [_text(problems, f"stages[{i}]", s, 40) for i, s in enumerate(_list(problems, "stages", raw))]
    if stages and not 2 <= len(stages) <= 7:
        problems.append(f"stages: must have between 2 and 7 stages, found {len(stages)}")
    if len(set(stages)) != len(stages):
        problems.append("stages: each stage needs a different name")
    return stages


def _element(problems, where: str, raw, area_tag: str, stage_count: int, codes: set[str]) -> ElementSpec:
    raw = _mapping(problems, where, raw)
    descriptors = [
        _text(problems, f"{where}.descriptors[{i}]", d, 600)
        for i, d in enumerate(_list(problems, f"{where}.descriptors", raw.get("descriptors")))
    ]
    if descriptors and stage_count and len(descriptors) != stage_count:
        problems.append(
            f"{where}.descriptors: expected {stage_count} descriptors, one per stage, found {len(descriptors)}"
        )
    return ElementSpec(
        _code(problems, f"{where}.code", raw.get("code"), codes),
        _text(problems, f"{where}.title", raw.get("title"), 200),
        _tag(problems, f"{where}.tag", raw.get("tag"), area_tag),
        descriptors,
    )


def parse_spec(data: dict) -> TemplateSpec:
    """Check a loaded document and return the template, or raise SpecError listing every problem."""
    problems: list[str] = []
    data = _mapping(problems, "the file", data)
    if problems:
        raise SpecError(problems)
    name = _text(problems, "name", data.get("name"), 200)
    version = data.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        problems.append("version: must be a whole number, 1 or more")
        version = None
    stages = _stages(problems, data.get("stages"))
    area_codes: set[str] = set()
    element_codes: set[str] = set()
    areas = []
    for a, raw_area in enumerate(_list(problems, "areas", data.get("areas"))):
        where = f"areas[{a}]"
        raw_area = _mapping(problems, where, raw_area)
        tag = _tag(problems, f"{where}.tag", raw_area.get("tag"), None)
        area = AreaSpec(
            _code(problems, f"{where}.code", raw_area.get("code"), area_codes),
            _text(problems, f"{where}.title", raw_area.get("title"), 200),
            tag,
        )
        for e, raw_el in enumerate(_list(problems, f"{where}.elements", raw_area.get("elements"))):
            element = _element(problems, f"{where}.elements[{e}]", raw_el, tag, len(stages), element_codes)
            area.elements.append(element)
        areas.append(area)
    unknown = sorted(set(data) - {"name", "version", "description", "stages", "areas"})
    if unknown:
        problems.append(f"the file: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    description = _text(problems, "description", data.get("description"), 2000, required=False)
    if problems:
        raise SpecError(problems)
    return TemplateSpec(name, stages, areas, description, version)


def load_spec(content: bytes | str) -> TemplateSpec:
    """Parse YAML text (an upload or a file) into a template, or raise SpecError."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise SpecError([f"the file: is larger than {MAX_BYTES // 1024} KB"])
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecError([f"the file: is not UTF-8 text (byte {exc.start})"]) from None
    if not content.strip():
        raise SpecError(["the file: is empty"])
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError([f"the file: is not valid YAML{where}"]) from None
    except (ValueError, OverflowError) as exc:  # a value it cannot build, like 2019-13-45 as a date
        raise SpecError([f"the file: has a value that cannot be read ({exc})"]) from None
    return parse_spec(data)


def dump_spec(spec: TemplateSpec) -> str:
    data = {"name": spec.name}
    if spec.version is not None:
        data["version"] = spec.version
    if spec.description:
        data["description"] = spec.description
    data["stages"] = list(spec.stages)
    data["areas"] = []
    for area in spec.areas:
        elements = []
        for e in area.elements:
            item = {"code": e.code, "title": e.title}
            if e.tag != area.tag:
                item["tag"] = e.tag
            item["descriptors"] = list(e.descriptors)
            elements.append(item)
        data["areas"].append({"code": area.code, "title": area.title, "tag": area.tag, "elements": elements})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
