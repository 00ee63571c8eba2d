from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "govhall.appointments"
    label = "appointments"
    verbose_name = "预约服务"

    def ready(self) -> None:
        from govhall.appointments.services.lifecycle import checked_in_code
        from govhall.org.workbench import Screen, register_screen
        from govhall.queueing.services import register_appointment_check

        # The queue ranks a ticket as an appointment's only for a code this app confirms.
        register_appointment_check(checked_in_code)

        register_screen(
            Screen(
                key="appointments.day",
                title="预约名单",
                url_name="appointments:staff_day",
                roles={"consultant", "guide", "manager"},
                description="当日各事项各时段预约、签到、未到；导出",
                order=30,
            )
        )
        register_screen(
            Screen(
                key="appointments.new",
                title="电话/现场预约登记",
                url_name="appointments:staff_new",
                roles={"consultant", "guide", "manager"},
                description="为来电或来访群众登记预约，一次性告知所需材料",
                order=31,
            )
        )
