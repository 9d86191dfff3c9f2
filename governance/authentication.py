"""API token authentication that brings the person's posts along.

Every API request asks a policy, and every policy starts from the person's active posts
(``selectors.user_post_rows``). DRF's ``TokenAuthentication`` reads the token and its user; on
PostgreSQL this class reads the posts in the same statement (an array subquery of one JSON object
per active post) and hands them to ``selectors.remember_posts``, so a request needs no second
round trip before its first decision. On other databases it is DRF's own behaviour.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from governance.models import Post
from governance.selectors import remember_posts


def _post_rows():
    return ArraySubquery(
        Post.objects.filter(user=OuterRef("user_id"), is_active=True)
        .order_by("pk")
        .values(
            row=JSONObject(
                role="role", path="area__path", department="department_id", department_path="department__area__path"
            )
        )
    )


class PortalTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        tokens = Token.objects.select_related("user")
        with_posts = connection.vendor == "postgresql"
        if with_posts:
            tokens = tokens.annotate(post_rows=_post_rows())
        try:
            token = tokens.get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if with_posts:
            remember_posts(
                user=token.user,
                rows=[(r["role"], r["path"] or r["department_path"], r["department"]) for r in token.post_rows],
            )
        return (token.user, token)
