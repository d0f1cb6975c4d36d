"""`services.api_tokens.token_user`: one indexed query for the token and its user."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from calculator.models import ApiToken
from calculator.services.api_tokens import LAST_USED_RESOLUTION, token_issue, token_user


def test_a_token_gives_its_user_in_one_query(pharmacist, django_assert_num_queries):
    token = token_issue(user=pharmacist)
    token_user(token)  # the first use writes last_used_at
    with django_assert_num_queries(1):
        user = token_user(token)
    assert (user.pk, user.username, user.is_active, user.is_superuser) == (
        pharmacist.pk,
        "pharmacist",
        True,
        False,
    )
    assert user.has_perm("calculator.add_order")
    # The fields left out load on first use, as the model's own deferred fields do.
    assert user.password == pharmacist.password
    assert user.date_joined == User.objects.get(pk=pharmacist.pk).date_joined


def test_last_used_is_written_at_most_once_a_minute(pharmacist, django_assert_num_queries):
    token = token_issue(user=pharmacist)
    token_user(token)
    first = ApiToken.objects.get(user=pharmacist).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=10)
    token_user(token)
    assert ApiToken.objects.get(user=pharmacist).last_used_at == first
    earlier = first - LAST_USED_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(user=pharmacist).update(last_used_at=earlier)
    with django_assert_num_queries(2):  # the look-up, and the write a minute later
        token_user(token)
    assert ApiToken.objects.get(user=pharmacist).last_used_at > earlier


def test_no_user_for_a_wrong_token_or_an_inactive_user(pharmacist):
    token = token_issue(user=pharmacist)
    assert token_user(token + "x") is None
    assert token_user("") is None
    assert token_user("x" * 201) is None
    User.objects.filter(pk=pharmacist.pk).update(is_active=False)
    assert token_user(token) is None
