from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "govhall.evaluations"
    label = "evaluations"
    verbose_name = "好差评"

    def ready(self) -> None:
        from govhall.documents.rating_links import register_rating_link
        from govhall.evaluations.tokens import printed_rating_url
        from govhall.org.workbench import Screen, register_screen

        # 9.4 b: the case documents print a second QR code to the case's rating page.
        register_rating_link(printed_rating_url)

        register_screen(
            Screen(
                key="evaluations.dashboard",
                title="好差评统计",
                url_name="evaluations:dashboard",
                roles={"manager", "inspector"},
                description="满意率、差评率（窗口/人员/部门/事项/渠道/月份）、整改及时率、回访率、导出",
                order=60,
            )
        )
        register_screen(
            Screen(
                key="evaluations.rectifications",
                title="差评整改",
                url_name="evaluations:rectifications",
                roles={"manager", "inspector", "approver", "clerk"},
                description="差评、投诉、办不成事：核实、整改、回访、办结；申诉",
                order=61,
            )
        )
        register_screen(
            Screen(
                key="evaluations.box",
                title="意见箱与办不成事登记",
                url_name="evaluations:box",
                roles={"manager", "inspector", "clerk", "consultant"},
                description="录入意见箱纸质评价、投诉，登记“办不成事”反映",
                order=62,
            )
        )
        register_screen(
            Screen(
                key="evaluations.surveys",
                title="调查问卷",
                url_name="evaluations:surveys",
                roles={"manager"},
                description="新建、编辑问卷（单选、多选、量表、文字），发布与结束，公开链接与二维码",
                order=63,
            )
        )
