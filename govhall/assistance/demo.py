"""Demo data of the assistance app; each area's demo lives beside it by subject."""

from govhall.assistance import demo_proxy, demo_special


def load(stdout) -> None:
    demo_proxy.load(stdout)
    demo_special.load(stdout)
