package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of a Chromium/Chrome binary, or skips the test
// (fails it when CI=true: CI must exercise the browser check).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome): " +
		"install it (Debian: apt-get install chromium) to check that index.html renders"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runChromium runs headless Chromium with the flags that keep it off the
// network and out of the user's profile, plus extra, and returns stdout.
func runChromium(t *testing.T, bin string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(),
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\nstderr: %s", extra, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// imgCheckScript, added to a copy of index.html, writes after load whether
// every <img> decoded (complete and naturalWidth > 0) into the DOM, which
// --dump-dom then prints.
const imgCheckScript = `<script>
window.addEventListener("load", function () {
  var out = [];
  document.querySelectorAll("img").forEach(function (im) {
    out.push(im.getAttribute("src") + "=" + (im.complete && im.naturalWidth > 0 ? "ok" : "broken") + ":" + im.naturalWidth);
  });
  var pre = document.createElement("pre");
  pre.id = "imgcheck";
  pre.textContent = "IMGCHECK " + out.join(" ") + " END";
  document.body.appendChild(pre);
});
</script>
`

var imgCheckRE = regexp.MustCompile(`<pre id="imgcheck">IMGCHECK ([^<]*?) END</pre>`)

// TestChromiumRendersReport opens the report in headless Chromium: every
// image must load, and a full-page screenshot must show content.
func TestChromiumRendersReport(t *testing.T) {
	bin := chromium(t)
	in := syntheticInput(t, 900, true)
	out := filepath.Join(t.TempDir(), "report")
	index, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	// The check page lives next to index.html so relative src= resolve alike.
	check := filepath.Join(out, "check.html")
	// A deliberately missing image proves the check can see a broken one.
	page := strings.Replace(string(html), "</body>", `<img src="missing-on-purpose.png" alt="">`+imgCheckScript+"</body>", 1)
	if err := os.WriteFile(check, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, bin, "--virtual-time-budget=15000", "--dump-dom", "file://"+check)
	m := imgCheckRE.FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the check script did not run; DOM tail: %s", tail(string(dom), 1500))
	}
	results := strings.Fields(string(m[1]))
	if len(results) == 0 || !strings.HasPrefix(results[len(results)-1], "missing-on-purpose.png=broken") {
		t.Fatalf("the check did not flag the missing image: %v", results)
	}
	results = results[:len(results)-1]
	if len(results) != len(allCharts) {
		t.Errorf("%d images in the page, want %d: %v", len(results), len(allCharts), results)
	}
	for _, r := range results {
		if !strings.Contains(r, "=ok:") {
			t.Errorf("image did not load in Chromium: %s", r)
		}
	}
	t.Logf("images: %s", strings.Join(results, " "))

	// Screenshot of the page itself (no script).
	shot := filepath.Join(t.TempDir(), "screenshot.png")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP"); keep != "" {
		shot = filepath.Join(filepath.Dir(keep), "report-screenshot.png")
	}
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1400,3000", "file://"+index)
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// A blank page is all white: count pixels that are not.
	r := img.Bounds()
	inked := 0
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr < 0xe000 || cg < 0xe000 || cb < 0xe000 {
				inked++
			}
		}
	}
	frac := float64(inked) / float64((r.Dx()/4)*(r.Dy()/4))
	if frac < 0.02 {
		t.Errorf("screenshot is nearly blank (%.1f%% non-white)", 100*frac)
	}
	t.Logf("screenshot %s: %dx%d, %.1f%% non-white", shot, r.Dx(), r.Dy(), 100*frac)
}
