"""Demo customer groups (集团客户): a few groups of 3–6 companies from the demo files just
loaded, each with a group limit in force and one with a request waiting for its decision."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import timezone

from credfile.accounts.choices import Role
from credfile.accounts.models import User
from credfile.audit.choices import AuditAction
from credfile.audit.services import audit_record
from credfile.customers.models import Customer
from credfile.limits.choices import GroupRelation, RequestStatus
from credfile.limits.models import CreditLimit, CustomerGroup, GroupMember, LimitRequest
from credfile.limits.selectors import group_exposure
from credfile.transactions.models import Invoice

GROUPS = 4
OTHER_RELATIONS = [
    GroupRelation.SUBSIDIARY,
    GroupRelation.SUBSIDIARY,
    GroupRelation.AFFILIATE,
    GroupRelation.COMMON_CONTROL,
    GroupRelation.GUARANTOR,
]


def _group_name(head: Customer) -> str:
    name = head.name
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(suffix):
            return f"{name.removesuffix(suffix)}集团"
    return f"{name}集团"


@transaction.atomic
def load_demo_groups(*, seed: int, codes: list[str]) -> int:
    """Groups from the companies among `codes` that are in no group yet; returns how many."""
    credit = User.objects.filter(role=Role.CREDIT_MANAGER, is_active=True).order_by("pk").first()
    executive = User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first()
    if credit is None or executive is None:
        return 0
    rng = random.Random(seed * 7919 + 11)
    companies = list(
        Customer.objects.filter(code__in=codes, kind="organization", group_membership__isnull=True)
        .order_by("code")
        .only("pk", "code", "name")
    )
    rng.shuffle(companies)
    # Companies that owe something first, so the groups have an exposure to show.
    owing = set(
        Invoice.objects.filter(customer__in=companies, fully_paid_on__isnull=True).values_list(
            "customer_id", flat=True
        )
    )
    companies.sort(key=lambda c: c.pk not in owing)
    today = timezone.localdate()
    made: list[CustomerGroup] = []
    for index in range(GROUPS):
        size = rng.randint(3, 6)
        if len(companies) < size:
            break
        chosen, companies = companies[:size], companies[size:]
        head = chosen[0]
        name = _group_name(head)
        if CustomerGroup.objects.filter(name__iexact=name).exists():
            continue
        group = CustomerGroup.objects.create(
            name=name, note="同一实际控制人，交叉担保", created_by=credit
        )
        GroupMember.objects.bulk_create(
            [
                GroupMember(
                    group=group,
                    customer=c,
                    relation=GroupRelation.PARENT if c is head else rng.choice(OTHER_RELATIONS),
                    is_head=c is head,
                    added_by=credit,
                )
                for c in chosen
            ]
        )
        exposure = group_exposure(group.pk, "CNY")
        # A limit above what the members owe now, in round ten thousands; the second group's
        # below it, so the demo shows a group over its limit.
        step = Decimal(10_000)
        if index == 1 and exposure >= 2 * step:
            amount = (exposure * Decimal("0.9") / step).to_integral_value(ROUND_FLOOR) * step
        else:
            share = Decimal(rng.choice(["1.3", "1.6", "2.0"]))
            amount = max(
                5 * step, (exposure * share / step).to_integral_value(ROUND_CEILING) * step
            )
        request = LimitRequest.objects.create(
            group=group,
            amount=amount,
            currency="CNY",
            valid_until=today + datetime.timedelta(days=365),
            reason="集团年度授信",
            basis={"group_exposure": str(exposure), "members": size},
            requested_by=credit,
            approver_role=str(Role.EXECUTIVE if amount > 5_000_000 else Role.CREDIT_MANAGER),
            status=RequestStatus.APPROVED,
            decided_by=executive,
            decided_at=timezone.now(),
        )
        CreditLimit.objects.create(
            group=group,
            currency="CNY",
            amount=amount,
            valid_from=today,
            valid_until=request.valid_until,
            request=request,
            approved_by=executive,
        )
        if index == 0:
            LimitRequest.objects.create(
                group=group,
                amount=amount * 2,
                currency="CNY",
                valid_until=today + datetime.timedelta(days=365),
                reason="新增项目，集团额度上调",
                requested_by=credit,
                approver_role=str(
                    Role.EXECUTIVE if amount * 2 > 5_000_000 else Role.CREDIT_MANAGER
                ),
            )
        made.append(group)
    if made:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=made[0],
            after={"demo": True, "seed": seed, "groups": [g.name for g in made]},
        )
    return len(made)
