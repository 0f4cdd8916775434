"""The persona picker shown by /idp/authorize without a login_hint: self-contained HTML, no external assets."""

from __future__ import annotations

from html import escape


def render_login_page(params: dict[str, str], personas: list[tuple[str, str]]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items() if k != "login_hint"
    )
    buttons = "".join(
        f'<button type="submit" name="login_hint" value="{escape(handle)}"><b>{escape(handle)}</b> <span>{escape(label)}</span></button>'
        for handle, label in personas
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox sign-in</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
.banner{{background:#ffe396;padding:.5rem .75rem;border-radius:4px}}
button{{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.75rem;border:1px solid #888;border-radius:4px;background:#f5f5f5;font-size:1rem;cursor:pointer}}
button span{{color:#555}}
</style></head>
<body><p class="banner">Sandbox identity provider — synthetic people only, never real data.</p>
<h1>Sign in as a persona</h1>
<form method="post" action="authorize">{hidden}{buttons}</form>
</body></html>"""
