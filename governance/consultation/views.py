from django.http import HttpResponse


def consultation_cards(user, roles):
    return []


def _todo(request, *args, **kwargs):
    return HttpResponse("")


meeting_list_view = meeting_new_view = calendar_view = meeting_detail_view = minutes_pdf_view = _todo
meeting_action_view = item_vote_view = resolutions_view = resolution_progress_view = topics_view = _todo
