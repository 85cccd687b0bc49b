"""Synthetic web-app assets the simulator serves: i18n JSON, a parameter bundle, a module menu.

They imitate the shapes the Brager One web app ships (minified JavaScript object literals with
unquoted keys, single quotes, ``!0``/``!1`` booleans and trailing commas; JSON language packs).
"""

from __future__ import annotations

import json

__all__ = ["LABELS", "MENU_JS", "PARAMS_JS", "i18n_parameters", "i18n_units"]

#: (pool, index) -> English label; the symbol is PARAM_<position>.
LABELS: list[tuple[str, int, str]] = [
    ("P4", 1, "Boiler temperature"),
    ("P4", 2, "Outdoor temperature"),
    ("P4", 3, "DHW temperature"),
    ("P4", 4, "Return temperature"),
    ("P4", 5, "System pressure"),
    ("P5", 1, "CH pump"),
    ("P5", 2, "DHW pump"),
    ("P5", 3, "Floor pump"),
    ("P5", 4, "Circulation pump"),
    ("P5", 5, "Burner modulation"),
    ("P5", 6, "Output power"),
    ("P6", 1, "Boiler setpoint"),
    ("P6", 2, "DHW setpoint"),
    ("P6", 3, "Room setpoint"),
]

_UNIT_TEXT = {"1": "°C", "2": "%", "3": "bar", "4": "kW", "5": "W", "6": "kWh", "7": "h"}


def i18n_parameters(lang: str = "en") -> str:
    """``parameters.json`` of one language (only English labels exist)."""
    return json.dumps(
        {"parameters": {f"PARAM_{n}": label for n, (_, _, label) in enumerate(LABELS)}},
        ensure_ascii=False,
    )


def i18n_units(lang: str = "en") -> str:
    """``units.json``: unit code -> unit text."""
    return json.dumps({"units": _UNIT_TEXT}, ensure_ascii=False)


def _param_literal(n: int, pool: str, idx: int) -> str:
    def ref(use: str) -> str:
        return f"{{group:'{pool}',number:{idx},use:'{use}'}}"

    writable = "!0" if pool == "P6" else "!1"
    return (
        f"{{name:'PARAM_{n}',group:'{pool}',number:{idx},use:'v',unit:{ref('u')},"
        f"min:{ref('n')},max:{ref('x')},status:{ref('s')},writable:{writable},}}"
    )


def _params_js() -> str:
    chunks = []
    for n, (pool, idx, _) in enumerate(LABELS):
        chunks.append(
            f"{4000 + n}:(e,t,a)=>{{a.d(t,{{A:()=>r}});const r={_param_literal(n, pool, idx)}}}"
        )
    return (
        '"use strict";(self.webpackChunkone=self.webpackChunkone||[]).push([[77],{'
        + ",".join(chunks)
        + "}]);"
    )


def _menu_js() -> str:
    read = ",".join(f"'PARAM_{n}'" for n in range(11))
    return (
        "const e={priority:1,extends:null,standalone:!0,routes:["
        "{name:'boiler',meta:{displayName:'menu.boiler',permission:'DISPLAY_MENU_BOILER',"
        f"minLevel:0}},parameters:{{read:[{read}],write:[]}},children:["
        "{name:'boiler.settings',meta:{displayName:'menu.settings',permission:'PARAM_WRITE',"
        "minLevel:1},parameters:{read:[],write:[{token:'PARAM_11',permission:'PARAM_WRITE'},"
        "{token:'PARAM_12',permission:'PARAM_WRITE'},{token:'PARAM_13',permission:'PARAM_WRITE'},"
        "]},children:[],},]},"
        "{name:'service',meta:{displayName:'menu.service',permission:'DISPLAY_MENU_SERVICE',"
        "minLevel:3},parameters:{read:['PARAM_99'],write:[]},children:[]},"
        "]};export{e as default};"
    )


PARAMS_JS = _params_js()
MENU_JS = _menu_js()
