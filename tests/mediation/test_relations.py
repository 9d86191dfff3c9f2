"""Declared relationships on the case page (and the API): add and withdraw them through the policy
and the services; the recusal check reads them."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.models import AuditEntry
from mediation import services
from mediation.models import PartyRelation

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(case, *, party="respondent", relation="表兄弟", other_party=None, other_user=None) -> dict:
    data = {"rel-party": case.parties.get(role=party).pk, "rel-relation": relation}
    if other_party:
        data["rel-other_party"] = case.parties.get(role=other_party).pk
    if other_user:
        data["rel-other_user"] = other_user.pk
    return data


def test_a_relation_declared_on_the_page_makes_the_mediator_recuse(
    register, village_mediator, co_mediator, street_supervisor
):
    case = register()
    page = _client(village_mediator).get(reverse("mediation:case_detail", args=[case.pk])).content.decode()
    assert reverse("mediation:relation_add", args=[case.pk]) in page
    response = _client(village_mediator).post(
        reverse("mediation:relation_add", args=[case.pk]), _form(case, other_user=co_mediator)
    )
    assert response.status_code == 302
    relation = PartyRelation.objects.get(case=case)
    assert (relation.party.name, relation.relation, relation.other_user) == ("李大壮", "表兄弟", co_mediator)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_repr=case.number).exists()
    page = _client(village_mediator).get(reverse("mediation:case_detail", args=[case.pk])).content.decode()
    assert "被申请人 李大壮 — 表兄弟 — 调解员 钱协办" in page

    refused = _client(street_supervisor).post(
        reverse("mediation:case_assign", args=[case.pk]), {"assign-mediator": co_mediator.pk}
    )
    assert refused.status_code == 409
    assert "调解员与当事人 李*壮 存在已申报的关系：表兄弟。" in refused.content.decode()
    assert not case.assignments.filter(mediator=co_mediator).exists()


def test_withdrawing_it_on_the_page_lifts_the_recusal_and_is_audited(
    register, village_mediator, co_mediator, street_supervisor
):
    case = register()
    relation = services.relation_declare(
        case=case, actor=village_mediator, party=case.parties.get(role="respondent"), relation="表兄弟",
        other_user=co_mediator,
    )  # fmt: skip
    response = _client(village_mediator).post(reverse("mediation:relation_remove", args=[case.pk, relation.pk]))
    assert response.status_code == 302
    assert not PartyRelation.objects.filter(pk=relation.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE, object_repr=case.number)
    assert entry.changes["relation"] == "表兄弟"
    assert entry.actor == village_mediator
    services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    assert case.assignments.filter(mediator=co_mediator).exists()


def test_declaring_a_relation_with_a_mediator_already_on_the_case_warns(register, village_mediator, co_mediator,
                                                                         street_supervisor):  # fmt: skip
    case = register()
    services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    response = _client(village_mediator).post(
        reverse("mediation:relation_add", args=[case.pk]), _form(case, other_user=co_mediator), follow=True
    )
    assert "钱协办 正在承办本案，与当事人存在已申报的关系，应当回避" in response.content.decode()


def test_a_relation_between_two_parties(register, village_mediator):
    case = register()
    response = _client(village_mediator).post(
        reverse("mediation:relation_add", args=[case.pk]),
        _form(case, party="applicant", relation="连襟", other_party="respondent"),
    )
    assert response.status_code == 302
    assert PartyRelation.objects.get(case=case).other_party.name == "李大壮"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "请指明一位关系人：本案另一位当事人，或一位调解员。"),
        ({"other_party": "respondent", "other_user": "CO"}, "请指明一位关系人：本案另一位当事人，或一位调解员。"),
        ({"other_party": "respondent"}, "关系人不能是当事人本人。"),
    ],
)
def test_bad_relations_are_refused_with_a_clear_error_and_nothing_written(
    values, message, register, village_mediator, co_mediator
):
    case = register()
    data = _form(case, other_user=co_mediator if values.get("other_user") else None,
                 other_party=values.get("other_party"))  # fmt: skip
    response = _client(village_mediator).post(reverse("mediation:relation_add", args=[case.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PartyRelation.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["west_mediator", "east_staff", "grid_worker", "east_resident", "township_mediator"])
def test_outside_the_case_the_relation_doors_do_not_exist(who, register, village_mediator, co_mediator, request):
    case = register()
    relation = services.relation_declare(
        case=case, actor=village_mediator, party=case.parties.get(role="respondent"), relation="表兄弟",
        other_user=co_mediator,
    )  # fmt: skip
    client = _client(request.getfixturevalue(who))
    assert (
        client.post(reverse("mediation:relation_add", args=[case.pk]), _form(case, other_user=co_mediator)).status_code
        == 404
    )
    assert client.post(reverse("mediation:relation_remove", args=[case.pk, relation.pk])).status_code == 404
    assert PartyRelation.objects.filter(case=case).count() == 1


def test_the_supervisor_declares_and_withdraws_through_the_api(register, co_mediator, street_supervisor, api_as):
    case = register()
    client = api_as(street_supervisor)
    respondent = case.parties.get(role="respondent")
    created = client.post(
        f"/api/v1/mediation/cases/{case.pk}/relations/",
        {"party": respondent.pk, "relation": "同事", "other_user": co_mediator.pk},
        format="json",
    )
    assert created.status_code == 201
    listed = client.get(f"/api/v1/mediation/cases/{case.pk}/relations/").json()
    assert listed == [
        {"id": created.json()["id"], "party": respondent.pk, "relation": "同事", "other_party": None,
         "other_user": co_mediator.pk}
    ]  # fmt: skip
    again = client.post(
        f"/api/v1/mediation/cases/{case.pk}/relations/",
        {"party": respondent.pk, "relation": "同事", "other_user": co_mediator.pk},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "relation_exists"
    gone = client.delete(f"/api/v1/mediation/cases/{case.pk}/relations/{created.json()['id']}/")
    assert gone.status_code == 204
    assert client.get(f"/api/v1/mediation/cases/{case.pk}/relations/").json() == []
    assert client.delete(f"/api/v1/mediation/cases/{case.pk}/relations/{created.json()['id']}/").status_code == 404
