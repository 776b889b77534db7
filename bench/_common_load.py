"""The client side of bench/load.py: a browser-like HTTP session, what each kind of user does, and the record
of every request and acknowledged write.

No third-party HTTP client is locked, so this is the standard library's http.client, one thread per virtual
user (the work is waiting on the server; asyncio would add nothing). Each request is a new connection, as
gunicorn's sync workers close it after each response. Requests carry X-Forwarded-Proto: https (TLS ends at the
load balancer) and, for POSTs, Origin and the CSRF token from the cookie, as a browser does.
"""

import contextlib
import http.client
import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

PASSWORD = "load-test-password-2019"  # set by bench/load.py on the users it signs in as
PRIORITIES = ("high", "medium", "low")


class Failure(Exception):
    pass


@dataclass
class Record:
    """Every request's (kind, seconds, ok) and every acknowledged write, shared by the virtual users."""

    samples: list[tuple[str, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ratings: dict[tuple[str, str], tuple] = field(default_factory=dict)  # (practice, element) -> values
    consensus: dict[tuple[str, str], tuple] = field(default_factory=dict)  # (pcn, element) -> values
    submitted: set[str] = field(default_factory=set)  # PCN codes whose submission was acknowledged
    plans: dict[int, tuple[str, str]] = field(default_factory=dict)  # version id -> (priority, summary)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool, error: str = "") -> None:
        with self.lock:
            self.samples.append((kind, seconds, ok))
            if error and len(self.errors) < 50:
                self.errors.append(error)


class Session:
    """One signed-in browser: cookies, CSRF, and timing of each request into the record."""

    def __init__(self, host: str, port: int, record: Record):
        self.host, self.port, self.record = host, port, record
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{host}:{port}"

    def request(self, kind: str, method: str, path: str, data: dict | list | None = None, expect=(200,)):
        headers = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
            pairs.append(("csrfmiddlewaretoken", self.cookies.get("csrftoken", "")))
            body = urlencode(pairs)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            content = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.record.add(kind, time.perf_counter() - started, False, f"{method} {path}: {exc!r}")
            raise Failure(str(exc)) from None
        seconds = time.perf_counter() - started
        self._cookies(response.headers.get_all("Set-Cookie") or [])
        ok = response.status in expect
        self.record.add(kind, seconds, ok, "" if ok else f"{method} {path}: {response.status}")
        if not ok:
            raise Failure(f"{method} {path}: {response.status}")
        return response, content

    def _cookies(self, headers: list[str]) -> None:
        for header in headers:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or not value or value == '""':
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def login(self, email: str) -> None:
        self.request("login", "GET", "/account/sign-in/")
        self.request("login", "POST", "/account/sign-in/", {"username": email, "password": PASSWORD}, (302,))

    def logout(self) -> None:
        self.request("logout", "POST", "/account/sign-out/", {}, (302,))
        self.cookies.clear()


@dataclass
class Persona:
    kind: str  # practice, consensus, plan, place, national
    email: str
    pcn: str = ""  # PCN code (practice, consensus)
    practice: str = ""  # practice code (practice)
    place: str = ""  # place code (place)
    version: int = 0  # plan version id (plan)
    needs: tuple[int, ...] = ()  # the plan version's linked needs (plan)
    done: bool = False  # consensus submitted


@dataclass(frozen=True)
class World:
    """What the virtual users need to know: ids, codes and the matrix's elements by area."""

    programme: int
    september: int  # the generated September round (heatmaps)
    rush: int  # the round open now, being rated and submitted during the test
    areas: list[list[str]]  # element codes per area, in order
    stages: int


def _rating_fields(rng: random.Random, codes: list[str], stages: int) -> tuple[dict, dict]:
    """Form fields for one area's elements, and element code -> the values the database should then hold."""
    form, expected = {}, {}
    for code in codes:
        current = rng.randrange(stages)
        target = min(stages - 1, current + rng.choice((0, 1, 1, 2)))
        priority = rng.choice(PRIORITIES) if target > current else ""
        support = f"Facilitation, round {rng.randrange(1000)}" if target > current else ""
        cost = rng.randrange(0, 50) * 100
        comment = rng.choice(("Agreed at the practice meeting", "", "Partners' view"))
        form |= {
            f"{code}-current": str(current),
            f"{code}-target": str(target),
            f"{code}-priority": priority,
            f"{code}-support": support,
            f"{code}-cost": str(cost),
            f"{code}-comment": comment,
        }
        expected[code] = (current, target, priority, support, cost * 100, comment)
    return form, expected


def practice_session(s: Session, p: Persona, w: World, rng, until: float) -> None:
    base = f"/self-assessment/rounds/{w.rush}/pcns/{p.pcn}"
    s.request("page", "GET", f"{base}/")
    while time.monotonic() < until:
        area = rng.randrange(len(w.areas))
        path = f"{base}/rate/{p.practice}/?area={area}"
        s.request("page", "GET", path)
        form, expected = _rating_fields(rng, w.areas[area], w.stages)
        s.request("rating_save", "POST", path, form, (302,))
        with s.record.lock:
            for code, values in expected.items():
                s.record.ratings[(p.practice, code)] = values
        if rng.random() < 0.15:
            return


def consensus_session(s: Session, p: Persona, w: World, rng, until: float) -> None:
    base = f"/self-assessment/rounds/{w.rush}/pcns/{p.pcn}"
    if p.done:
        s.request("page", "GET", f"{base}/results/")
        s.request("page", "GET", f"{base}/")
        return
    for area, codes in enumerate(w.areas):
        if time.monotonic() >= until:
            return
        path = f"{base}/consensus/?area={area}"
        s.request("page", "GET", path)
        form, expected = _rating_fields(rng, codes, w.stages)
        for code in codes:  # a consensus is complete: every gap needs its priority
            if form[f"{code}-target"] != form[f"{code}-current"] and not form[f"{code}-priority"]:
                form[f"{code}-priority"] = "medium"
                expected[code] = (*expected[code][:2], "medium", *expected[code][3:])
        s.request("consensus_save", "POST", path, form, (302,))
        with s.record.lock:
            for code, values in expected.items():
                s.record.consensus[(p.pcn, code)] = values
    s.request("page", "GET", f"{base}/consensus/submit/")
    data = {"improvement_priority": "Same-day access", "priority_note": "", "action": "submit_assessment"}
    s.request("consensus_submit", "POST", f"{base}/consensus/submit/", data, (302,))
    p.done = True
    with s.record.lock:
        s.record.submitted.add(p.pcn)


def plan_session(s: Session, p: Persona, w: World, rng, until: float) -> None:
    while time.monotonic() < until:
        s.request("page", "GET", f"/plans/versions/{p.version}/")
        _, html = s.request("page", "GET", f"/plans/versions/{p.version}/edit/")
        lock = re.search(rb'name="lock_version" value="(\d+)"', html)
        if lock is None:
            raise Failure("no lock_version on the plan's edit page")
        summary = f"Plan summary, edit {rng.randrange(10**6)}: workshops, data and new roles."
        priority = rng.choice(("Same-day access", "Frail older people", "Mental health"))
        data = [
            ("improvement_priority", priority),
            ("summary", summary),
            ("lock_version", lock.group(1).decode()),
        ]
        data += [("needs", str(n)) for n in p.needs]
        s.request("plan_edit", "POST", f"/plans/versions/{p.version}/edit/", data, (302,))
        with s.record.lock:
            s.record.plans[p.version] = (priority, summary)
        if rng.random() < 0.3:
            return


def place_session(s: Session, p: Persona, w: World, rng, until: float) -> None:
    dashboard = f"/dashboards/{w.programme}/place/{p.place}/"
    s.request("dashboard", "GET", dashboard)
    for _ in range(rng.randint(1, 3)):
        if time.monotonic() >= until:
            return
        choice = rng.random()
        if choice < 0.3:
            s.request("export", "GET", f"/funding/{w.programme}/places/{p.place}/?format=csv")
        elif choice < 0.55:
            s.request("export", "GET", f"/funding/{w.programme}/places/{p.place}/?format=xlsx")
        elif choice < 0.8:
            s.request(
                "export", "GET", f"{dashboard}?format=csv&table={rng.choice(('plans', 'money', 'rag'))}"
            )
        else:
            s.request("page", "GET", f"/self-assessment/rounds/{w.september}/heatmap/?place={p.place}")


def national_session(s: Session, p: Persona, w: World, rng, until: float) -> None:
    s.request("dashboard", "GET", f"/dashboards/{w.programme}/national/")
    s.request("page", "GET", f"/funding/{w.programme}/ledger/")
    if rng.random() < 0.5:
        s.request("export", "GET", f"/dashboards/{w.programme}/national/?format=xlsx&table=breakdown")


SESSIONS = {
    "practice": practice_session,
    "consensus": consensus_session,
    "plan": plan_session,
    "place": place_session,
    "national": national_session,
}
WEIGHTS = {"practice": 45, "consensus": 15, "plan": 15, "place": 20, "national": 5}


class Pool:
    """Personas by kind; one virtual user at a time holds each, so a write's last acknowledgement is final."""

    def __init__(self, personas: list[Persona]):
        self.free: dict[str, list[Persona]] = defaultdict(list)
        for p in personas:
            self.free[p.kind].append(p)
        self.lock = threading.Lock()

    def take(self, rng) -> Persona | None:
        with self.lock:
            kinds = [k for k in WEIGHTS if self.free[k]]
            if not kinds:
                return None
            kind = rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
            return self.free[kind].pop(rng.randrange(len(self.free[kind])))

    def give_back(self, p: Persona) -> None:
        with self.lock:
            self.free[p.kind].append(p)


def virtual_user(host, port, pool: Pool, world: World, record: Record, seed: int, until: float) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        persona = pool.take(rng)
        if persona is None:
            time.sleep(0.01)
            continue
        session = Session(host, port, record)
        try:
            session.login(persona.email)
            SESSIONS[persona.kind](session, persona, world, rng, until)
            if rng.random() < 0.5 and time.monotonic() < until:
                session.logout()
        except Failure:
            pass  # recorded as an error; a new session starts
        finally:
            pool.give_back(persona)


def signed_in_user(host, port, record: Record, email: str, path: str, until: float) -> None:
    """Signs in once (not recorded), then asks for one page until the end."""
    session = Session(host, port, Record())
    session.login(email)
    session.record = record
    while time.monotonic() < until:
        with contextlib.suppress(Failure):  # recorded as an error
            session.request("signed_in_floor", "GET", path)


def floor_user(host, port, record: Record, path: str, until: float) -> None:
    session = Session(host, port, record)
    while time.monotonic() < until:
        with contextlib.suppress(Failure):  # recorded as an error
            session.request("floor", "GET", path)
