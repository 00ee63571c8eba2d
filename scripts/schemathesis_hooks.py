"""Schemathesis checks of the house rules for API errors (loaded by scripts/fuzz_api.sh
through SCHEMATHESIS_HOOKS): every 4xx/5xx is application/problem+json."""

import schemathesis


@schemathesis.check
def errors_are_problem_json(ctx, response, case):
    if response.status_code >= 400:
        kind = (response.headers.get("content-type") or [""])[0]
        if not kind.startswith("application/problem+json"):
            raise AssertionError(
                f"{response.status_code} answered as {kind or 'no content type'}, "
                "not application/problem+json"
            )
