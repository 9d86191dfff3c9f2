"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis, in-process).

The schema is loaded from ``/api/schema/`` through the WSGI application, on the test database, and
every operation is called with generated, schema-valid requests for three callers: nobody, a grid
worker and community staff (token headers). The run is bounded and seeded (``derandomize``), so
it is the same run every time. Every response must be no 5xx, a documented status, a documented
content type and conform to the documented schema. The counts are printed in the summary.
"""

import contextlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from governance import services as core
from governance.models import Department
from grids import services as grids
from grids.models import EventCategory
from tests.fuzz.report import FUZZ_REPORT
from tests.grids.conftest import EAST_POINT, square

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}  # per operation; ≤ 60 s on 2 cores
# Ids of objects that exist, per path prefix: each operation on one object runs once more with its id.
KNOWN_IDS: dict[str, int] = {}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app(db):
    """The project's WSGI application on the test database's open transaction.

    Django closes the connection at the end of each request; like its test client, keep it open
    for the test (which rolls back afterwards).
    """
    from governance.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)


@pytest.fixture
def callers(db, area_tree, make_user, grid_worker, east_staff) -> dict[str, dict[str, str]]:
    """Token headers per caller, over a grid with a worker, a category, an event and a patrol."""
    municipal = core.department_create(
        name="市政所", code="SZ", kind=Department.Kind.MUNICIPAL, area=area_tree["street"]
    )
    manhole = EventCategory.objects.create(service_code="manhole", name="井盖破损", department=municipal)
    EventCategory.objects.create(service_code="other", name="其他")  # no department
    grid, _ = grids.grid_save(
        code="DS-G1", name="东升第一网格", area=area_tree["east"], boundary=square(116.30, 39.98), workers=[grid_worker]
    )
    event = grids.event_report(
        reporter=grid_worker,
        category=manhole,
        description="东升花园北门井盖缺失",
        lon=EAST_POINT[0],
        lat=EAST_POINT[1],
        source="patrol",
    )
    patrol = grids.patrol_start(worker=grid_worker, grid=grid)
    notification, _created = core.notification_send(recipient=grid_worker, key="fuzz-1", title="测试", body="测试通知")
    KNOWN_IDS.update(
        {
            "/api/v1/areas/": area_tree["east"].pk,
            "/api/v1/departments/": municipal.pk,
            "/api/v1/events/": event.pk,
            "/api/v1/grids/": grid.pk,
            "/api/v1/notifications/": notification.pk,
            "/api/v1/patrols/": patrol.pk,
        }
    )

    def token(user) -> dict[str, str]:
        return {"Authorization": f"Token {Token.objects.create(user=user).key}"}

    return {"anonymous": {}, "grid_worker": token(grid_worker), "community_staff": token(east_staff)}


def _describe(exc: BaseException) -> str:
    parts = [str(e).strip() for e in exc.exceptions] if isinstance(exc, BaseExceptionGroup) else [str(exc).strip()]
    return " | ".join(p[:600] for p in parts)


def _run_operation(operation, headers: dict[str, str], record, path_parameters=None, mode=GenerationMode.POSITIVE):
    @settings(
        max_examples=MAX_EXAMPLES[mode],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
    def run(case):
        response = case.call(headers=headers)
        record.examples += 1
        record.statuses[response.status_code] = record.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # a FailureGroup of every check that failed
            record.failures.append(f"{operation.label} → {response.status_code}: {_describe(exc)}")

    run()


@pytest.mark.parametrize("caller", ["anonymous", "grid_worker", "community_staff"])
def test_every_operation_answers_as_documented(callers, api_schema, caller):
    record = FUZZ_REPORT.run_for(caller)
    for result in api_schema.get_all_operations():
        operation = result.ok()
        record.operations += 1
        _run_operation(operation, callers[caller], record)
        if caller != "anonymous":  # without credentials every operation but one is a 401 whatever is sent
            with contextlib.suppress(Unsatisfiable):  # nothing to break: no parameters, no body (GET /me/)
                _run_operation(operation, callers[caller], record, mode=GenerationMode.NEGATIVE)
        known = next((pk for prefix, pk in KNOWN_IDS.items() if operation.path.startswith(prefix + "{id}")), None)
        if known is not None:
            _run_operation(operation, callers[caller], record, path_parameters={"id": known})

    assert record.operations == 140  # mediation: + signature withdraw, agreements list, a round's PDF
    assert record.failures == []
