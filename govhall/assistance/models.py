"""帮办代办与便民服务 (DB 23/T 1485—2023 6.6, 6.7.3–6.7.5).

Django finds an app's models in this module: tables kept in sibling files by subject are
imported at the bottom.
"""

from govhall.assistance.models_emergency import *  # noqa: F403
from govhall.assistance.models_proxy import *  # noqa: F403  (帮办与代办)
from govhall.assistance.models_special import *  # noqa: F403
