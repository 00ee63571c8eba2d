from django.apps import AppConfig


def _recompute(sender, years, **kwargs) -> None:
    from govhall.cases.services import cases_recompute_provisional

    cases_recompute_provisional(years=years)


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from govhall.cases.screens_flow import register as register_flow_screens
        from govhall.cases.services.notices import receipt_again
        from govhall.core.workdays import calendar_changed
        from govhall.documents.models import DocumentKind
        from govhall.documents.renderers import register_renderer
        from govhall.org.workbench import Screen, register_screen

        calendar_changed.connect(_recompute, dispatch_uid="govhall.cases.recompute")
        register_flow_screens()
        register_renderer(DocumentKind.RECEIPT, receipt_again)
        register_screen(
            Screen(
                key="cases.intake",
                title="综合窗口收件",
                url_name="cases:intake",
                roles={"clerk", "proxy", "manager"},
                description="核验材料、收件出具凭证，材料不全出具一次性告知单；邮寄件签收",
                order=20,
            )
        )
        register_screen(
            Screen(
                key="cases.review",
                title="部门受理审查",
                url_name="cases:review",
                roles={"approver", "manager"},
                description="待受理审查办件（按截止日排序，逾期标红）；受理、不予受理、补正、退件",
                order=21,
            )
        )
