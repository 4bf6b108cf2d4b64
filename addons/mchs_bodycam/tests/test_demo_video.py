"""The demo's recordings are short real videos that the browser's player plays (issue 12,
point 8): made by Debian's ffmpeg at demo install when it is there, else the tiny MP4 shipped in
the addon (with the recording's label in a box players skip)."""
import json
import shutil
import subprocess
import unittest

from odoo.tests import HttpCase, tagged

from ..demo.demo_video import demo_video, shipped_video
from .common import RetentionCase


def probe(path):
    """What ffprobe reads in the file: its video stream's codec, size and duration."""
    answer = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "stream=codec_name,width,height:format=duration", "-of", "json", path],
                            capture_output=True, text=True, check=True, timeout=60)
    data = json.loads(answer.stdout)
    stream = data["streams"][0]
    return stream["codec_name"], stream["width"], stream["height"], round(float(data["format"]["duration"]))


@tagged("post_install", "-at_install")
class TestDemoVideo(RetentionCase, HttpCase):

    def _stored(self, body, start):
        recording = self._old_recording(start, body=body)
        return recording, self._paths(recording)[0]

    @unittest.skipUnless(shutil.which("ffprobe"), "ffprobe (Debian's ffmpeg) is needed to read the videos")
    def test_videos_are_real(self):
        generated = demo_video("TSA-BC-00001\n№ 1 · 10.03.2026 09:00")
        if shutil.which("ffmpeg"):
            self.assertNotEqual(generated, demo_video("TSA-BC-00001\n№ 2 · 10.03.2026 09:00"),
                                "each recording is a video of its own (its own SHA-256)")
        shipped = shipped_video("TSA-BC-00002")
        self.assertNotEqual(shipped, shipped_video("TSA-BC-00003"))
        for body, start in ((generated, "2026-03-10 09:00:00"), (shipped, "2026-03-11 09:00:00")):
            _recording, path = self._stored(body, start)
            self.assertEqual(probe(path), ("h264", 320, 180, 4))

    def test_the_player_plays_them(self):
        """The recording opened through the access journal (item 13) plays in Chromium's own
        <video> player: its frames are decoded and the time runs."""
        for body, start in ((demo_video("TSA-BC-00001\n№ 1"), "2026-03-10 09:00:00"),
                            (shipped_video("TSA-BC-00002"), "2026-03-11 09:00:00")):
            recording, _path = self._stored(body, start)
            _row, token = self.env["mchs.bodycam.access"].with_user(self.responsible_user)._log(
                recording, "view", "review of the demo", "granted")
            url = f"/mchs_bodycam/recording/{recording.id}/stream?token={token}"
            code = """
                const video = document.createElement("video");
                video.muted = true;
                video.addEventListener("error", () => console.error("the player refused the video: " + video.error.code));
                video.addEventListener("timeupdate", () => {
                    if (video.currentTime > 0.5 && video.videoWidth === 320 && video.videoHeight === 180) {
                        console.log("test successful");
                    }
                });
                video.src = %s;
                document.body.appendChild(video);
                video.play();
            """ % json.dumps(url)
            with self.subTest(start=start):
                self.browser_js("/odoo", code, ready="odoo.isReady", login="t.responsible", timeout=60)
