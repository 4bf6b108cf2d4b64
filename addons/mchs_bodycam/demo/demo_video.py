"""Short real videos for the demo's recordings (issue 12, point 8): the player plays them.

With Debian's ffmpeg (tools/common.sh installs it), each recording is its own 4-second H.264 MP4
that shows the bodycam, the journal row and a running clock. Without it, the tiny MP4 shipped in
static/demo is used, with the recording's label in a trailing ``free`` box (ISO BMFF: players
skip it), so that every recording still has its own SHA-256.
"""
import logging
import os
import shutil
import struct
import subprocess
import tempfile

from odoo.tools.misc import file_open

_logger = logging.getLogger(__name__)
SHIPPED_VIDEO = "mchs_bodycam/static/demo/bodycam_demo.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu, a dependency of the reports
SECONDS = 4


def demo_video(label, use_ffmpeg=True):
    """The bytes of a short MP4 that shows ``label`` (a few lines of text)."""
    ffmpeg = shutil.which("ffmpeg") if use_ffmpeg else None
    if ffmpeg:
        try:
            return _ffmpeg_video(ffmpeg, label)
        except (OSError, subprocess.SubprocessError) as error:
            _logger.warning("demo video: ffmpeg failed (%s); the shipped video is used", error)
    return shipped_video(label)


def shipped_video(label):
    with file_open(SHIPPED_VIDEO, "rb") as handle:
        video = handle.read()
    note = label.encode()
    return video + struct.pack(">I4s", 8 + len(note), b"free") + note


def _ffmpeg_video(ffmpeg, label):
    font = f"fontfile={FONT}:" if os.path.exists(FONT) else ""
    with tempfile.TemporaryDirectory(prefix="mchs-demo-video-") as folder:
        label_path, video_path = os.path.join(folder, "label.txt"), os.path.join(folder, "video.mp4")
        with open(label_path, "w", encoding="utf-8") as handle:
            handle.write(label)
        filters = ",".join((
            "drawbox=x='mod(t*75,300)':y=150:w=20:h=20:color=orange:t=fill",
            f"drawtext={font}textfile={label_path}:fontcolor=white:fontsize=14:x=10:y=10:line_spacing=4",
            f"drawtext={font}text='%{{pts\\:hms}}':fontcolor=yellow:fontsize=14:x=10:y=120",
        ))
        subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
             "-f", "lavfi", "-i", f"color=c=0x1f3a4d:size=320x180:rate=10:duration={SECONDS}",
             "-vf", filters, "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "30",
             "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an", "-metadata", f"comment={label}",
             "-f", "mp4", video_path],
            check=True, capture_output=True, timeout=60)
        with open(video_path, "rb") as handle:
            return handle.read()
