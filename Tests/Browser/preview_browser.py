#!/usr/bin/python3
"""Opens a lessonc preview in headless Chromium (one browser session for every check) and
prints what it saw as one JSON object; PreviewBrowserTests asserts on it.

    preview_browser.py CONFIG.json

CONFIG holds: site (the preview folder), pages (name -> path under site), quiz_page, rtl_page,
fallback_page, axe (path of axe.min.js), artefacts (folder for screenshots), and for the serve
check: lessonc, root, serve_out, serve_page (path under the site), lesson_file (to edit).
Needs Debian's chromium, chromium-driver and python3-selenium (scripts/setup.sh test).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=412,900",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--allow-file-access-from-files", "--lang=en-US"]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


class Watch:
    """Console messages and network requests of every page the session opens."""

    def __init__(self, driver):
        self.driver = driver
        self.console = []
        self.requests = []
        self.failed = []

    def drain(self, page):
        for entry in self.driver.get_log("browser"):
            if entry.get("level") in ("SEVERE", "WARNING"):
                self.console.append({"page": page, "level": entry["level"], "message": entry["message"]})
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif message["method"] == "Network.responseReceived":
                status = params["response"].get("status", 0)
                if status >= 400:
                    self.failed.append({"page": page, "url": params["response"]["url"], "status": status})
            elif message["method"] == "Network.loadingFailed":
                self.failed.append({"page": page, "error": params.get("errorText", "")})


def images(driver):
    return driver.execute_script(
        "return Array.from(document.images).map(function (i) {"
        " return {src: i.currentSrc || i.src, alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0}; });")


def screenshot(driver, path, width=412):
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 3000);")
    driver.set_window_size(width, max(600, height))
    driver.save_screenshot(path)
    driver.set_window_size(412, 900)


def axe(driver, source):
    driver.execute_script(source)
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
        " done(r.violations.map(function (v) { return {id: v.id, impact: v.impact, help: v.help,"
        "  targets: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); })}; })); })"
        ".catch(function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), targets: []}]); });")


def page_facts(driver):
    return driver.execute_script(
        "var a = document.querySelector('article.lesson');"
        "return {lang: document.documentElement.lang, dir: document.documentElement.dir,"
        " title: (document.querySelector('h1') || {}).textContent || '',"
        " text: document.querySelector('main').innerText,"
        " article_dir: a ? a.getAttribute('dir') : null, article_lang: a ? a.getAttribute('lang') : null,"
        " article_direction: a ? getComputedStyle(a).direction : null};")


def static_checks(config, driver, watch, out):
    site = config["site"]
    axe_source = open(config["axe"], encoding="utf-8").read()
    out["pages"] = {}
    out["axe"] = {}
    for name, path in sorted(config["pages"].items()):
        driver.get("file://" + os.path.join(site, path))
        facts = page_facts(driver)
        facts["images"] = images(driver)
        out["pages"][name] = facts
        out["axe"][name] = axe(driver, axe_source)
        screenshot(driver, os.path.join(config["artefacts"], name + ".png"))
        watch.drain(name)
    # A desktop-width view of one lesson, to look at.
    driver.get("file://" + os.path.join(site, config["quiz_page"]))
    screenshot(driver, os.path.join(config["artefacts"], "lesson-desktop.png"), width=1280)
    watch.drain("lesson-desktop")

    # The quiz: the explanation is hidden until the reader asks for it.
    driver.get("file://" + os.path.join(site, config["quiz_page"]))
    explanation = driver.find_element(By.CSS_SELECTOR, ".quiz .quiz-explanation")
    quiz = {"explanation_visible_before": explanation.is_displayed()}
    summary = driver.find_element(By.CSS_SELECTOR, ".quiz .quiz-answer summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    summary.click()
    quiz["explanation_visible_after"] = explanation.is_displayed()
    quiz["explanation_text"] = explanation.text
    right = driver.find_element(By.CSS_SELECTOR, ".quiz input[data-correct='true']")
    quiz["option_focusable"] = driver.execute_script("arguments[0].focus(); return document.activeElement === arguments[0];", right)
    right.click()
    quiz["feedback"] = driver.find_element(By.CSS_SELECTOR, ".quiz .quiz-feedback").text
    out["quiz"] = quiz
    screenshot(driver, os.path.join(config["artefacts"], "quiz-answered.png"))
    watch.drain("quiz")


def serve_check(config, driver, watch, out):
    serve = {}
    process = subprocess.Popen([config["lessonc"], "serve", "--root", config["root"], "--out", config["serve_out"], "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        serve["announced"] = line
        if not line.startswith("serving "):
            serve["error"] = "no 'serving' line first on stdout: " + line
            out["serve"] = serve
            return
        url = line.split(" ", 1)[1]
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        serve["url"] = url
        driver.get(url + config["serve_page"])
        serve["before"] = page_facts(driver)["text"]
        path = config["lesson_file"]
        original = open(path, encoding="utf-8").read()

        def wait_for(text, seconds=30):
            started = time.time()
            while time.time() - started < seconds:
                try:
                    if text in driver.find_element(By.TAG_NAME, "main").text:
                        return time.time() - started
                except Exception:
                    pass  # the page is reloading
                time.sleep(0.05)
            return None

        marker = "A sentence written while the preview was open."
        with open(path, "w", encoding="utf-8") as f:
            f.write(original + "\n" + marker + "\n")
        serve["edit_seconds"] = wait_for(marker)
        serve["after"] = page_facts(driver)["text"]
        with open(path, "w", encoding="utf-8") as f:
            f.write(original + "\n> [!PROMT]\n> Say this.\n")
        serve["broken_seconds"] = wait_for("unknown callout kind")
        serve["broken_text"] = page_facts(driver)["text"]
        screenshot(driver, os.path.join(config["artefacts"], "serve-broken-lesson.png"))
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        watch.drain("serve")
        serve["alive"] = process.poll() is None
        process.send_signal(signal.SIGINT)
        serve["exit_status"] = process.wait(timeout=20)
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            serve["port_released"] = True
        except OSError as e:
            serve["port_released"] = False
            serve["port_error"] = str(e)
        finally:
            s.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        serve["stderr"] = process.stderr.read()[-4000:]
    out["serve"] = serve


def main():
    config = json.load(open(sys.argv[1], encoding="utf-8"))
    os.makedirs(config["artefacts"], exist_ok=True)
    out = {}
    driver = browser()
    try:
        watch = Watch(driver)
        static_checks(config, driver, watch, out)
        if config.get("lessonc"):
            serve_check(config, driver, watch, out)
        out["console"] = watch.console
        out["failed_requests"] = watch.failed
        out["external_requests"] = [u for u in watch.requests
                                    if not (u.startswith("file://") or u.startswith("data:") or u.startswith("http://127.0.0.1:"))]
        out["request_count"] = len(watch.requests)
    finally:
        driver.quit()
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
