"""Speaker-turn segmentation of cleaned minutes (minimal version)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dxminutes.roles import classify_role

TURN_COLUMNS = ["position", "speaker_label", "speaker", "role", "text"]
NON_SPEECH_COLUMNS = ["position", "kind", "text"]


@dataclass(frozen=True)
class Segmentation:
    turns: pd.DataFrame
    non_speech: pd.DataFrame
    warnings: tuple[str, ...]


def normalize_speaker_name(name: str) -> str:
    return re.sub(r"\s+", "", name).replace("髙", "高")


def segment(text: str) -> Segmentation:
    turns: list[dict] = []
    other: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^[(（]([^)）]{1,20})[)）]\s*(.*)$", line.strip())
        if m:
            label = line.strip()
            turns.append({"position": len(turns), "speaker_label": label,
                          "speaker": normalize_speaker_name(m.group(1)),
                          "role": classify_role(label), "text": ""})
        elif turns:
            turns[-1]["text"] = (turns[-1]["text"] + "\n" + line).strip("\n")
        elif line.strip():
            other.append(line)
    non_speech = [{"position": 0, "kind": "header", "text": "\n".join(other)}] if other else []
    warnings = () if turns else ("no recognizable speakers",)
    return Segmentation(pd.DataFrame(turns, columns=TURN_COLUMNS),
                        pd.DataFrame(non_speech, columns=NON_SPEECH_COLUMNS), warnings)
