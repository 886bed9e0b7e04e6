#!/usr/bin/python3
"""The console in headless Chromium (driven by tests/e2e/ui_test.sh).

Each check prints "ok   - ..." or "FAIL - ..." as lib.sh's check does; the
exit status is the number of failures (capped). The parts that need only
the page and the admin API come first, then those on the browsing, session
and storage endpoints (docs/console.md).
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REG = os.environ["REG"]
BASE = f"http://{REG}"
WORK = os.environ["WORK"]
SHOTS = os.path.join(WORK, "shots")
HOSTILE_LABEL = '<img src=x onerror="document.title=\'pwned\'">'
HOSTILE_NOTE = '"quoted" </td><script>document.title="pwned"</script>'
ADMIN = ("admin", "admin-pass-1")
READER = ("reader", "reader-pass-1")
LEAD = ("lead", "lead-pass-1")  # an admin of namespace team only
results = {"passed": 0, "failed": 0}


def check(what, fn):
    """Runs fn; a falsy result or an exception is a failure."""
    try:
        ok = fn()
        detail = "" if ok else "returned " + repr(ok)
    except Exception as e:  # noqa: BLE001 - every failure is reported
        ok, detail = False, f"{type(e).__name__}: {e}"
        if os.environ.get("UI_DEBUG"):
            traceback.print_exc()
    results["passed" if ok else "failed"] += 1
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        print("       " + detail[:600], flush=True)
    return ok


# ---- the registry through HTTP, as a client would push

def http(method, path, body=None, creds=ADMIN, headers=None):
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    if creds:
        token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode()
        req.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def push_blob(repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, _, headers = http("POST", f"/v2/{repo}/blobs/uploads/")
    assert status == 202, status
    location = headers["Location"]
    sep = "&" if "?" in location else "?"
    path = location.replace(BASE, "") + f"{sep}digest={digest}"
    status, body, _ = http("PUT", path, data, headers={"Content-Type": "application/octet-stream"})
    assert status == 201, (status, body)
    return {"digest": digest, "size": len(data)}


def push_manifest(repo, ref, manifest):
    data = json.dumps(manifest).encode()
    status, body, _ = http("PUT", f"/v2/{repo}/manifests/{ref}", data,
                           headers={"Content-Type": manifest["mediaType"]})
    assert status == 201, (status, body)
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_hostile_image():
    """team/app:v1 with a hostile label, and an SBOM of it with a hostile annotation."""
    config = {"created": "2026-11-01T10:00:00Z", "architecture": "amd64", "os": "linux",
              "config": {"Entrypoint": ["/bin/app"], "Env": ["PATH=/usr/bin"],
                         "Labels": {"evil": HOSTILE_LABEL}},
              "rootfs": {"type": "layers", "diff_ids": []}, "history": []}
    layer = push_blob("team/app", b"layer bytes " * 100)
    cfg = push_blob("team/app", json.dumps(config).encode())
    image = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg},
             "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer}]}
    digest = push_manifest("team/app", "v1", image)
    empty = push_blob("team/app", b"{}")
    sbom = push_blob("team/app", b'{"spdxVersion":"SPDX-2.3"}')
    referrer = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": "application/spdx+json",
                "config": {"mediaType": "application/vnd.oci.empty.v1+json", **empty},
                "layers": [{"mediaType": "application/spdx+json", **sbom}],
                "subject": {"mediaType": image["mediaType"], "digest": digest,
                            "size": len(json.dumps(image))},
                "annotations": {"org.opencontainers.image.created": "2026-11-02T00:00:00Z",
                                "note": HOSTILE_NOTE}}
    sbom_digest = push_manifest("team/app", "sha256-" + digest[7:] + ".sbom", referrer)
    return digest, sbom_digest


HOSTILE_FILES = ["safe notes.txt", "a;touch /tmp/pwned;b", "$(touch /tmp/pwned2)", "x'y"]


def push_hostile_files():
    """team/files:v1, a file artifact whose file names are shell traps."""
    empty = push_blob("team/files", b"{}")
    layers = [{"mediaType": "application/octet-stream", **push_blob("team/files", name.encode()),
               "annotations": {"org.opencontainers.image.title": name}} for name in HOSTILE_FILES]
    return push_manifest("team/files", "v1", {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.ferry.file.v1",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", **empty}, "layers": layers})


def push_many_tags(count):
    """team/many with `count` tags t000.. of one small image."""
    cfg = push_blob("team/many", b'{"architecture":"arm64","os":"linux"}')
    layer = push_blob("team/many", b"many")
    image = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg},
             "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}]}
    for i in range(count):
        push_manifest("team/many", f"t{i:03d}", image)


# ---- the browser

def browser():
    options = Options()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + os.path.join(WORK, "chromium")]:
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    d.set_script_timeout(20)
    d.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": BASE, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    return d


def wait(d, fn, timeout=10):
    return WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: fn())


def page(d, hash_route, ready_css, timeout=10):
    """Opens #hash_route and waits until ready_css is in the page."""
    url = f"{BASE}/ui/{hash_route}"
    if d.current_url == url:
        d.refresh()  # the same address would not load the page again
    else:
        d.get(url)
    wait(d, lambda: d.find_elements(By.CSS_SELECTOR, ready_css), timeout)


def shot(d, name):
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def main_text(d):
    return d.find_element(By.ID, "main").text


def visible(d, css):
    return [e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def fetch(d, method, path, csrf=True, body=None):
    """fetch() from the page, with the session cookie; returns the status."""
    return d.execute_async_script("""
      const [method, path, csrf, body, done] = arguments;
      (async () => {
        const headers = {'Content-Type': 'application/json'};
        if (csrf) {
          const s = await (await fetch('/ferry/v1/session')).json();
          if (s.csrf) headers['X-Ferry-CSRF'] = s.csrf;
        }
        const r = await fetch(path, {method, headers, body: body === null ? undefined : body});
        return r.status;
      })().then(done, (e) => done('ERR ' + e));
    """, method, path, csrf, body)


def log_in(d, who):
    page(d, "#/login", "form.login")
    for field, text in (("user-name", who[0]), ("password", who[1])):
        d.find_element(By.ID, field).clear()
        d.find_element(By.ID, field).send_keys(text)
    d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait(d, lambda: d.find_element(By.ID, "user").text == who[0])


def log_out(d):
    d.find_element(By.ID, "logout").click()
    wait(d, lambda: not d.find_element(By.ID, "user").text)


def no_injection(d):
    """Nothing hostile became markup, and nothing ran."""
    try:
        d.switch_to.alert
        return False
    except NoAlertPresentException:
        pass
    injected = d.execute_script(
        "return document.querySelectorAll('img[src=\"x\"], main script, td > script').length")
    return injected == 0 and "pwned" not in d.title


def csp_errors(d):
    return [e["message"] for e in d.get_log("browser")
            if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"
            and "401" not in e["message"] and "403" not in e["message"]
            and "404" not in e["message"] and "409" not in e["message"]]


def run(d, digest, sbom_digest, files_digest):
    # ---- the page itself
    check("the console loads with its CSP and no script errors",
          lambda: (page(d, "#/login", "form.login") or True) and not csp_errors(d))

    # ---- anonymous on a locked box: only the login
    def anonymous_gets_login():
        page(d, "#/", "form.login")
        nav = d.find_element(By.ID, "nav")
        return "#/login" in d.current_url and not nav.is_displayed() and \
            not d.find_elements(By.CSS_SELECTOR, "details.namespace")
    check("anonymous on a locked box: only the login form, no navigation", anonymous_gets_login)
    shot(d, "login")
    check("... and #/admin takes them to the login too",
          lambda: (page(d, "#/admin", "form.login") or True) and "#/login" in d.current_url)

    check("a wrong password is refused on the page",
          lambda: log_in_fails(d, ("admin", "wrong-password")))

    # ---- the admin browses
    check("the admin logs in and sees the namespaces, with Admin in the menu",
          lambda: (log_in(d, ADMIN) or True) and wait(d, lambda: d.find_elements(
              By.CSS_SELECTOR, 'details.namespace[data-namespace="team"]')) and
          visible(d, 'a[data-page="admin"]'))
    shot(d, "repositories")

    def search_filters():
        d.find_element(By.ID, "search").send_keys("MAN")
        wait(d, lambda: "team/many" in main_text(d) and "team/app" not in main_text(d))
        d.find_element(By.ID, "search").clear()
        d.find_element(By.ID, "search").send_keys("x")  # input events: back to all
        d.find_element(By.ID, "search").send_keys("\b")
        wait(d, lambda: "team/app" in main_text(d))
        return True
    check("the search box filters repositories by name, case-insensitively", search_filters)

    def browse_to_repository():
        team = d.find_element(By.CSS_SELECTOR, 'details.namespace[data-namespace="team"]')
        if team.get_attribute("open") is None:
            team.find_element(By.TAG_NAME, "summary").click()
        link = wait(d, lambda: d.find_elements(By.LINK_TEXT, "team/app"))[0]
        link.click()
        wait(d, lambda: d.find_elements(By.CSS_SELECTOR, 'tr[data-tag="v1"]'))
        return "#/r/team/app" in d.current_url
    check("namespace -> repository: team/app lists its tag v1", browse_to_repository)
    shot(d, "repository")

    def row_facts():
        row = d.find_element(By.CSS_SELECTOR, 'tr[data-tag="v1"]').text
        return all(s in row for s in ["image", "linux/amd64", digest[:19], "by admin"]) or row
    check("... with its kind, platform, digest and who pushed it", row_facts)

    def copies_pull_command():
        d.find_element(By.CSS_SELECTOR, 'tr[data-tag="v1"] button.copy').click()
        want = f"docker pull {REG}/team/app:v1"
        button = d.find_element(By.CSS_SELECTOR, 'tr[data-tag="v1"] button.copy')
        wait(d, lambda: button.get_attribute("data-copied") == want)
        clip = d.execute_async_script(
            "navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('ERR ' + e))")
        return clip == want or clip
    check("the pull command is copied to the clipboard", copies_pull_command)

    def browse_to_image():
        d.find_element(By.CSS_SELECTOR, 'tr[data-tag="v1"] td a').click()
        wait(d, lambda: "Layers" in main_text(d) and "Referrers" in main_text(d))
        return digest in main_text(d) and "/bin/app" in main_text(d)
    check("repository -> image: digest, entrypoint, layers, referrers", browse_to_image)
    shot(d, "image")
    check("a hostile label shows as text, nothing injected",
          lambda: HOSTILE_LABEL in main_text(d) and no_injection(d))

    def browse_to_referrer():
        link = wait(d, lambda: [a for a in d.find_elements(By.CSS_SELECTOR, "#main table a")
                                if sbom_digest[:19] in a.text])[0]
        link.click()
        wait(d, lambda: sbom_digest in main_text(d))
        return "sbom" in main_text(d) and "application/spdx+json" in main_text(d)
    check("image -> referrer: the SBOM, its kind and type", browse_to_referrer)
    shot(d, "referrer")
    check("... whose hostile annotation shows as text, nothing injected",
          lambda: HOSTILE_NOTE in main_text(d) and no_injection(d))
    check("... and it links back to the image it refers to",
          lambda: d.find_elements(By.LINK_TEXT, digest[:19]))

    def pages_through_tags():
        page(d, "#/r/team/many", 'tr[data-tag="t099"]')
        first = len(d.find_elements(By.CSS_SELECTOR, "tr[data-tag]"))
        d.find_element(By.CSS_SELECTOR, "button.more").click()
        wait(d, lambda: d.find_elements(By.CSS_SELECTOR, 'tr[data-tag="t149"]'))
        rows = d.find_elements(By.CSS_SELECTOR, "tr[data-tag]")
        more = d.find_element(By.CSS_SELECTOR, "button.more")
        return (first, len(rows), more.is_displayed(), "150 tags" in main_text(d)) == \
            (100, 150, False, True) or (first, len(rows), more.is_displayed())
    check("150 tags: a page of 100, then More shows the other 50 and goes", pages_through_tags)

    hostile_checks(d, files_digest)
    admin_checks(d)
    storage_and_audit(d)
    log_out(d)
    check("after logout the console asks for the login again",
          lambda: (page(d, "#/", "form.login") or True) and "#/login" in d.current_url)
    reader_checks(d)
    lead_checks(d)
    anonymous_checks(d)
    phone_checks(d)


def log_in_fails(d, who):
    page(d, "#/login", "form.login")
    for field, text in (("user-name", who[0]), ("password", who[1])):
        d.find_element(By.ID, field).clear()
        d.find_element(By.ID, field).send_keys(text)
    d.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait(d, lambda: visible(d, "form.login .note.error"))
    return not d.find_element(By.ID, "user").text


def admin_checks(d):
    def robot_token_works():
        page(d, "#/admin", "#tokens form")
        form = d.find_elements(By.CSS_SELECTOR, "#tokens form")[-1]
        form.find_element(By.NAME, "user").send_keys("admin")
        form.find_element(By.NAME, "description").send_keys(HOSTILE_LABEL)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        secret = wait(d, lambda: d.find_elements(By.ID, "new-token"))[0].text
        rc = subprocess.run(
            ["skopeo", "copy", "-q", "--dest-tls-verify=false", f"--dest-creds=admin:{secret}",
             f"oci:{os.environ['LAYOUT']}:v1", f"docker://{REG}/team/robot:v1"],
            capture_output=True, text=True)
        assert rc.returncode == 0, rc.stderr
        return http("GET", "/v2/team/robot/tags/list", creds=("admin", secret))[0] == 200
    check("a robot token made on the admin page, shown once, works with skopeo", robot_token_works)
    shot(d, "admin")
    check("... its hostile description shows as text",
          lambda: HOSTILE_LABEL in d.find_element(By.ID, "tokens").text and no_injection(d))
    check("... and reloading the page does not show the secret again",
          lambda: (page(d, "#/admin", "#tokens table") or True) and
          not d.find_elements(By.ID, "new-token"))

    def sets_quota():
        page(d, "#/admin", "#namespaces form")
        form = d.find_elements(By.CSS_SELECTOR, "#namespaces form")[-1]
        form.find_element(By.NAME, "ns").send_keys("team")
        form.find_element(By.NAME, "quota").send_keys("3GiB")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(d, lambda: "Settings of team saved" in d.find_element(By.ID, "namespaces").text)
        rows = json.loads(http("GET", "/ferry/v1/namespaces")[1])["namespaces"]
        return [r.get("quota") for r in rows if r["name"] == "team"] == [3 << 30]
    check("a quota set on the admin page is the namespace's quota", sets_quota)

    def import_appears():
        subprocess.run([os.environ["FERRYD"], "import", "-q", "--data-dir", os.environ["DATA"],
                        "--trust-dir", os.path.join(WORK, "trust"),
                        "--receipt", os.path.join(WORK, "receipt.json"), os.environ["BUNDLE"]],
                       check=True, capture_output=True)
        page(d, "#/imports", "#main table")
        return "team/shipped:v1" in main_text(d)
    check("an import by ferryd import appears on the imports page", import_appears)
    shot(d, "imports")
    def receipt_downloads():
        links = {a.text: a.get_attribute("href").replace(BASE, "")
                 for a in d.find_elements(By.CSS_SELECTOR, "#main td a")}
        status, body, _ = http("GET", links["receipt"])
        with open(os.path.join(WORK, "receipt.json"), "rb") as f:
            written = f.read()
        signature = http("GET", links["signature"])
        return status == 200 and body == written and signature[0] == 200 and \
            signature[1].startswith(b"untrusted comment:")
    check("... with the receipt it wrote and its signature to download", receipt_downloads)


def storage_and_audit(d):
    def starts_gc():
        page(d, "#/storage", "button[data-action='/ferry/v1/gc']")
        d.find_element(By.CSS_SELECTOR, "button[data-action='/ferry/v1/gc']").click()
        wait(d, lambda: "Start GC: started" in main_text(d) or "running already" in main_text(d))
        deadline = time.time() + 20
        while time.time() < deadline:
            last = json.loads(http("GET", "/ferry/v1/storage")[1])["gc"]["last"]
            if last:
                return True
            time.sleep(0.3)
        return False
    check("the admin starts a GC from the storage page and it runs", starts_gc)
    check("... the page shows it, the disk and team's quota",
          lambda: (page(d, "#/storage", "#main .jobs") or True) and
          wait(d, lambda: "Blobs removed" in main_text(d)) and "3 GiB" in main_text(d))
    shot(d, "storage")
    check("a write without the CSRF header is refused (403)",
          lambda: fetch(d, "POST", "/ferry/v1/gc", csrf=False, body="{}") == 403)

    def audit_filters():
        page(d, "#/audit", "form.filters")
        d.find_element(By.CSS_SELECTOR, "form.filters input[name=action]").send_keys("token create")
        d.find_element(By.CSS_SELECTOR, "form.filters button").click()
        wait(d, lambda: "token create" in main_text(d))
        rows = d.find_elements(By.CSS_SELECTOR, "#main tbody tr")
        return rows and all("token create" in r.text for r in rows)
    check("the audit page filters by action", audit_filters)
    shot(d, "audit")


def reader_checks(d):
    log_in(d, READER)
    check("a reader sees the repositories but no Admin, Storage or Audit in the menu",
          lambda: wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "details.namespace")) and
          not visible(d, "a[data-admin]"))
    check("... #/admin shows them nothing of it",
          lambda: (page(d, "#/admin", "#main h1") or True) and
          not d.find_elements(By.ID, "users") and "Not here" in main_text(d))
    check("... and the admin endpoints answer 403 to their session",
          lambda: [fetch(d, "GET", p) for p in ["/ferry/v1/users", "/ferry/v1/tokens"]] +
          [fetch(d, "POST", "/ferry/v1/gc", body="{}"),
           fetch(d, "PATCH", "/ferry/v1/namespaces/team", body='{"quota":"none"}')] ==
          [403, 403, 403, 403])
    log_out(d)


def hostile_checks(d, files_digest):
    page(d, f"#/r/team/files@{files_digest}", "#main table")
    curls = [b.get_attribute("title") for b in d.find_elements(By.CSS_SELECTOR, "button.copy")
             if "curl" in (b.get_attribute("title") or "")]
    want = [f"curl -fo 'safe notes.txt' '{BASE}/files/team/files/v1/safe%20notes.txt'"]
    check("file names that are shell traps get no copyable command; a safe one is quoted",
          lambda: curls == want or curls)
    check("... and every file is still listed, as text",
          lambda: all(name in main_text(d) for name in HOSTILE_FILES) and no_injection(d))
    # A failed login under a name that reverses the text after it.
    http("POST", "/ferry/v1/session", json.dumps({"user": "evil\u202eexe.txt", "password": "x"})
         .encode(), creds=None, headers={"Content-Type": "application/json"})
    page(d, "#/audit", "#main table")
    check("the audit page shows a bidirectional override as \\u{202e}, not reversed text",
          lambda: wait(d, lambda: "evil\\u{202e}exe.txt" in main_text(d)) and
          "\u202e" not in main_text(d))


def anonymous_checks(d):
    status = http("PATCH", "/ferry/v1/namespaces/team", b'{"anonymousPull": true}')[0]
    try:
        d.get("about:blank")  # a visitor arriving afresh
        d.get(f"{BASE}/ui/#/")
        wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "details.namespace"))
        check("with anonymous pull on team, a visitor browses team without logging in",
              lambda: status == 204 and d.find_elements(
                  By.CSS_SELECTOR, 'details.namespace[data-namespace="team"]') and
              d.find_element(By.ID, "nav").is_displayed() and not visible(d, "a[data-admin]")
              and visible(d, "#login-link"))
    finally:
        http("PATCH", "/ferry/v1/namespaces/team", b'{"anonymousPull": null}')


def lead_checks(d):
    log_in(d, LEAD)
    check("an admin of one namespace gets its grants and settings, not users or tokens",
          lambda: (page(d, "#/admin", "#namespaces") or True) and
          d.find_elements(By.ID, "grants") and not d.find_elements(By.ID, "users") and
          not d.find_elements(By.ID, "tokens"))
    log_out(d)


def phone_checks(d):
    # A window cannot be made this narrow; the device emulation can.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    log_in(d, ADMIN)
    page(d, "#/r/team/app", 'tr[data-tag="v1"]')
    check("on a phone-sized screen (390 px) the pages do not scroll sideways",
          lambda: all(fits(d, name, route, css) for name, route, css in [
              ("repository", "#/r/team/app", 'tr[data-tag="v1"]'),
              ("repositories", "#/", "details.namespace"),
              ("admin", "#/admin", "#tokens table"), ("storage", "#/storage", "#main h1")]))


def fits(d, name, route, css):
    page(d, route, css)
    shot(d, "phone-" + name)
    width = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[1] == 390 and width[0] <= width[1], (route, width)
    return True


def main():
    os.makedirs(SHOTS, exist_ok=True)
    status, _, _ = http("PUT", "/v2/team/app/manifests/a%22b", b"{}",
                        headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    check("a tag with a quote is refused by the registry itself (400)", lambda: status == 400)
    digest, sbom_digest = push_hostile_image()
    files_digest = push_hostile_files()
    push_many_tags(150)
    d = browser()
    try:
        run(d, digest, sbom_digest, files_digest)
    except (TimeoutException, Exception) as e:  # noqa: BLE001
        check("the browser session ran to the end", lambda: (_ for _ in ()).throw(e))
        shot(d, "failure")
    finally:
        d.quit()
    print(f"ui: {results['passed']} passed, {results['failed']} failed")
    sys.exit(min(results["failed"], 100))


if __name__ == "__main__":
    main()
