"""The mood chart, drawn with matplotlib off the event loop.

matplotlib is imported on first use: it costs ~60 MB of memory and a second of start-up,
and most processes (and most minutes) never draw a chart.
"""

from __future__ import annotations

import io
from datetime import datetime


def mood_chart(points: list[tuple[datetime, int]], title: str, ylabel: str) -> bytes:
    """A PNG line chart of mood (1–5) over time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3), dpi=100)
    try:
        times = mdates.date2num([at for at, _ in points])  # type: ignore[no-untyped-call]
        moods = [mood for _, mood in points]
        axes.plot(times, moods, marker="o", color="#2e7d6b", linewidth=2)
        axes.set_ylim(0.5, 5.5)
        axes.set_yticks([1, 2, 3, 4, 5])
        axes.set_title(title)
        axes.set_ylabel(ylabel)
        axes.grid(alpha=0.3)
        axes.xaxis_date()
        span_days = (points[-1][0] - points[0][0]).days if points else 0
        # One tick per day (or per week on long spans): mood is a daily measure.
        axes.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, span_days // 7)))  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
