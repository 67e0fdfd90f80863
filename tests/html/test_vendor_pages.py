"""A page with the usual vendor snippets: before consent nothing of theirs is active,
after consent for a category its tags are exactly what the app sent."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from .conftest import EVERYTHING, NOTHING, rewrite

GOOGLE_TAG = b"""<!-- Google tag (gtag.js) -->
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'G-ABC123');
</script>
"""
TAG_MANAGER = b"""<!-- Google Tag Manager -->
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-XYZ789');</script>
<!-- End Google Tag Manager -->
"""
TAG_MANAGER_NOSCRIPT = b"""<!-- Google Tag Manager (noscript) -->
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-XYZ789"
height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>
"""
META_PIXEL = b"""<!-- Meta Pixel Code -->
<script>
!function(f,b,e,v,n,t,s)
{if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script',
'https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '1234567890');
fbq('track', 'PageView');
</script>
<noscript><img height="1" width="1" style="display:none"
src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1"
/></noscript>
<!-- End Meta Pixel Code -->
"""
LINKEDIN = b"""<script type="text/javascript">
_linkedin_partner_id = "555111";
window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
window._linkedin_data_partner_ids.push(_linkedin_partner_id);
</script><script type="text/javascript">
(function(l) {
if (!l){window.lintrk = function(a,b){window.lintrk.q.push([a,b])};
window.lintrk.q=[]}
var s = document.getElementsByTagName("script")[0];
var b = document.createElement("script");
b.type = "text/javascript";b.async = true;
b.src = "https://snap.licdn.com/li.lms-analytics/insight.min.js";
s.parentNode.insertBefore(b, s);})(window.lintrk);
</script>
<noscript>
<img height="1" width="1" style="display:none;" alt=""
src="https://px.ads.linkedin.com/collect/?pid=555111&fmt=gif" />
</noscript>
"""
TIKTOK = b"""<script>
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track"];
  ttq.load=function(e,n){var r="https://analytics.tiktok.com/i18n/pixel/events.js";
  ttq._i=ttq._i||{};ttq._i[e]=[];var o=document.createElement("script");
  o.type="text/javascript";o.async=!0;o.src=r+"?sdkid="+e;
  var a=document.getElementsByTagName("script")[0];a.parentNode.insertBefore(o,a)};
  ttq.load('CABC123');
  ttq.page();
}(window, document, 'ttq');
</script>
"""
HOTJAR = b"""<script>
    (function(h,o,t,j,a,r){
        h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
        h._hjSettings={hjid:3000001,hjsv:6};
        a=o.getElementsByTagName('head')[0];
        r=o.createElement('script');r.async=1;
        r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;
        a.appendChild(r);
    })(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');
</script>
"""
CLARITY = b"""<script type="text/javascript">
    (function(c,l,a,r,i,t,y){
        c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};
        t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;
        y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);
    })(window, document, "clarity", "script", "abcdef123");
</script>
"""
YOUTUBE = b"""<iframe width="560" height="315"
src="https://www.youtube.com/embed/dQw4w9WgXcQ?si=abc" title="YouTube video player"
frameborder="0" allow="accelerometer; autoplay; encrypted-media" allowfullscreen></iframe>
"""
MAPS = b"""<iframe src="https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2624.99"
width="600" height="450" style="border:0;" allowfullscreen="" loading="lazy"
referrerpolicy="no-referrer-when-downgrade"></iframe>
"""

PAGE = (b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Shop</title>\n'
        + GOOGLE_TAG + TAG_MANAGER + META_PIXEL + LINKEDIN + TIKTOK + HOTJAR + CLARITY
        + b'<link rel="stylesheet" href="/site.css">\n</head>\n<body>\n' + TAG_MANAGER_NOSCRIPT
        + b"<h1>Welcome</h1>\n<p>Our store &amp; more.</p>\n" + YOUTUBE + MAPS
        + b'<script src="/app.js"></script>\n</body>\n</html>\n')

BY_CATEGORY = {
    "analytics": (GOOGLE_TAG, TAG_MANAGER, TAG_MANAGER_NOSCRIPT, HOTJAR, CLARITY),
    "marketing": (META_PIXEL, LINKEDIN, TIKTOK, YOUTUBE),
    "preferences": (MAPS,),
}
TRACKER_HOSTS = ("googletagmanager.com", "facebook.net", "facebook.com", "licdn.com",
                 "linkedin.com", "tiktok.com", "hotjar.com", "clarity.ms", "youtube.com",
                 "google.com/maps")
VENDOR_CODE = ("gtag(", "gtm.start", "fbq(", "_linkedin", "lintrk", "ttq", "h.hj", "clarity")


class ActiveTags(HTMLParser):
    """Collects what a browser would fetch or run (noscript content read as markup, as
    a browser without scripting does)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.active: list[str] = []
        self.script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self.script_type = values.get("type", "text/javascript")
        if self.script_type == "text/plain" and tag == "script":
            return
        for name in ("src", "srcset", "href", "data"):
            url = values.get(name, "")
            if any(host in url for host in TRACKER_HOSTS):
                self.active.append(f"<{tag} {name}={url}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.script_type = None

    def handle_data(self, data: str) -> None:
        executable = self.script_type is not None and self.script_type != "text/plain"
        if executable and any(code in data for code in VENDOR_CODE):
            self.active.append("inline script: " + data.strip()[:40])


def active_trackers(page: bytes) -> list[str]:
    parser = ActiveTags()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser.active


def test_the_example_page_has_active_trackers_before_rewriting() -> None:
    assert len(active_trackers(PAGE)) == 14


@pytest.mark.parametrize("chunk", [None, 1, 7, 64, 1000])
def test_before_consent_no_tracker_is_active(chunk: int | None) -> None:
    cuts = range(0, len(PAGE), chunk) if chunk else ()
    out = rewrite(PAGE, NOTHING, chunks=cuts)
    assert active_trackers(out) == []
    assert b'<script src="/app.js"></script>' in out
    assert b'data-consentkit-vendor="YouTube"' in out
    assert b'data-consentkit-vendor="Google Maps"' in out


@pytest.mark.parametrize("category", sorted(BY_CATEGORY))
def test_after_consent_for_a_category_its_tags_are_untouched(category: str) -> None:
    out = rewrite(PAGE, NOTHING | {category})
    for snippet in BY_CATEGORY[category]:
        assert snippet in out
    for other, snippets in BY_CATEGORY.items():
        if other != category:
            for snippet in snippets:
                assert snippet not in out


def test_with_everything_granted_the_page_is_unchanged() -> None:
    assert rewrite(PAGE, EVERYTHING) == PAGE
