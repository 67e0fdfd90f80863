"""Inline scripts are recognised by the shape of the vendors' install snippets."""

from __future__ import annotations

import pytest

from consentkit.classify import Classifier
from consentkit.policy import Policy

GTAG = """window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', 'G-ABC123XYZ');"""

GOOGLE_ADS = """window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', 'AW-123456789');"""

GTM = """(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-ABC123');"""

META = """!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window, document,
'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '1234567890');
fbq('track', 'PageView');"""

LINKEDIN = """_linkedin_partner_id = "123456";
window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
window._linkedin_data_partner_ids.push(_linkedin_partner_id);
(function(l) { if (!l){window.lintrk = function(a,b){window.lintrk.q.push([a,b])};
window.lintrk.q=[]} var s = document.getElementsByTagName("script")[0];
var b = document.createElement("script"); b.type = "text/javascript";b.async = true;
b.src = "https://snap.licdn.com/li.lms-analytics/insight.min.js";
s.parentNode.insertBefore(b, s);})(window.lintrk);"""

TIKTOK = """!function (w, d, t) { w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];
ttq.methods=["page","track","identify"];ttq.load=function(e,n){var r=
"https://analytics.tiktok.com/i18n/pixel/events.js";};
ttq.load('C1ABCDEF234567890');
ttq.page();}(window, document, 'ttq');"""

HOTJAR = """(function(h,o,t,j,a,r){
h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
h._hjSettings={hjid:1234567,hjsv:6};
a=o.getElementsByTagName('head')[0];
r=o.createElement('script');r.async=1;
r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;
a.appendChild(r);
})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');"""

CLARITY = """(function(c,l,a,r,i,t,y){
c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};
t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;
y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);
})(window, document, "clarity", "script", "abcdef1234");"""

UET = """(function(w,d,t,r,u){var f,n,i;w[u]=w[u]||[],f=function(){var o={ti:"12345678"};
o.q=w[u],w[u]=new UET(o),w[u].push("pageLoad")},n=d.createElement(t),n.src=r,n.async=1,
n.onload=n.onreadystatechange=function(){},i=d.getElementsByTagName(t)[0],
i.parentNode.insertBefore(n,i)})(window,document,"script","//bat.bing.com/bat.js","uetq");"""

PINTEREST = """!function(e){if(!window.pintrk){window.pintrk=function(){
window.pintrk.queue.push(Array.prototype.slice.call(arguments))};var
n=window.pintrk;n.queue=[],n.version="3.0";var t=document.createElement("script");
t.async=!0,t.src=e;var r=document.getElementsByTagName("script")[0];
r.parentNode.insertBefore(t,r)}}("https://s.pinimg.com/ct/core.js");
pintrk('load', '2612345678901');
pintrk('page');"""

SNAP = """(function(e,t,n){if(e.snaptr)return;var a=e.snaptr=function()
{a.handleRequest?a.handleRequest.apply(a,arguments):a.queue.push(arguments)};
a.queue=[];var s='script';r=t.createElement(s);r.async=!0;
r.src=n;var u=t.getElementsByTagName(s)[0];
u.parentNode.insertBefore(r,u);})(window,document,
'https://sc-static.net/scevent.min.js');
snaptr('init', 'abcd-1234', {});
snaptr('track', 'PAGE_VIEW');"""

REDDIT = """!function(w,d){if(!w.rdt){var p=w.rdt=function(){p.sendEvent?
p.sendEvent.apply(p,arguments):p.callQueue.push(arguments)};p.callQueue=[];
var t=d.createElement("script");t.src="https://www.redditstatic.com/ads/pixel.js",
t.async=!0;var s=d.getElementsByTagName("script")[0];s.parentNode.insertBefore(t,s)}}
(window,document);rdt('init','a2_abcdef123456');rdt('track', 'PageVisit');"""

X_PIXEL = """!function(e,t,n,s,u,a){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments)
:s.queue.push(arguments);},s.version='1.1',s.queue=[],u=t.createElement(n),u.async=!0,
u.src='https://static.ads-twitter.com/uwt.js',a=t.getElementsByTagName(n)[0],
a.parentNode.insertBefore(u,a))}(window,document,'script');
twq('config','abc12');"""

MATOMO = """var _paq = window._paq = window._paq || [];
_paq.push(['trackPageView']);
_paq.push(['enableLinkTracking']);
(function() { var u="//analytics.example.com/";
_paq.push(['setTrackerUrl', u+'matomo.php']); _paq.push(['setSiteId', '1']);
var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0];
g.async=true; g.src=u+'matomo.js'; s.parentNode.insertBefore(g,s); })();"""

HUBSPOT = """var _hsq = window._hsq = window._hsq || [];
_hsq.push(['setPath', '/home']);
_hsq.push(['trackPageView']);"""

SEGMENT = """!function(){var analytics=window.analytics=window.analytics||[];
analytics.load=function(key,e){var t=document.createElement("script");
t.src="https://cdn.segment.com/analytics.js/v1/" + key + "/analytics.min.js";};
analytics.load("AbCdEf0123456789");
analytics.page();}();"""

MIXPANEL = """(function(f,b){if(!b.__SV){var e,g,i,h;window.mixpanel=b;b._i=[];
e.src="https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js";}})(document,window.mixpanel||[]);
mixpanel.init("0123456789abcdef0123456789abcdef", {track_pageview: true});"""

AMPLITUDE = """!function(){"use strict";!function(e,t){var r=e.amplitude||{_q:[],_iq:{}};
r.src="https://cdn.amplitude.com/libs/analytics-browser-2.0.0-min.js.gz";}(window,document)}();
amplitude.init('0123456789abcdef0123456789abcdef');"""

YANDEX = """(function(m,e,t,r,i,k,a){m[i]=m[i]||function(){(m[i].a=m[i].a||[]).push(arguments)};
m[i].l=1*new Date();k=e.createElement(t),a=e.getElementsByTagName(t)[0],k.async=1,k.src=r,
a.parentNode.insertBefore(k,a)})(window, document, "script",
"https://mc.yandex.ru/metrika/tag.js", "ym");
ym(12345678, "init", {clickmap:true, trackLinks:true, accurateTrackBounce:true});"""

BAIDU = """var _hmt = _hmt || [];
(function() { var hm = document.createElement("script");
hm.src = "https://hm.baidu.com/hm.js?0123456789abcdef0123456789abcdef";
var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s);
})();"""

NAVER = """if(!wcs_add) var wcs_add = {};
wcs_add["wa"] = "1a2b3c4d5e6f7";
if(window.wcs) { wcs_do(); }"""

KAKAO = """kakaoPixel('1234567890123456789').pageView();
kakaoPixel('1234567890123456789').completeRegistration();"""

LINE = """(function(g,d,o){g._ltq=g._ltq||[];g._lt=g._lt||function(){g._ltq.push(arguments)};
var h=location.protocol==='https:'?'https://d.line-scdn.net':'http://d.line-cdn.net';
var s=d.createElement('script');s.async=1;s.src=o||h+'/n/line_tag/public/release/v1/lt.js';
var t=d.getElementsByTagName('script')[0];t.parentNode.insertBefore(s,t);})(window, document);
_lt('init', {customerType: 'lap', tagId: '0123abcd-4567-89ef-0123-456789abcdef'});
_lt('send', 'pv', ['0123abcd-4567-89ef-0123-456789abcdef']);"""

INTERCOM = """window.intercomSettings = { api_base: "https://api-iam.intercom.io",
app_id: "abcd1234" };
Intercom('boot', { app_id: 'abcd1234' });"""


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(Policy())


@pytest.mark.parametrize(("code", "category", "vendor"), [
    (GTAG, "analytics", "Google tag"),
    (GOOGLE_ADS, "marketing", "Google Ads"),
    (GTM, "analytics", "Google tag"),
    (META, "marketing", "Meta"),
    (LINKEDIN, "marketing", "LinkedIn"),
    (TIKTOK, "marketing", "TikTok"),
    (HOTJAR, "analytics", "Hotjar"),
    (CLARITY, "analytics", "Microsoft Clarity"),
    (UET, "marketing", "Microsoft Advertising"),
    (PINTEREST, "marketing", "Pinterest"),
    (SNAP, "marketing", "Snap"),
    (REDDIT, "marketing", "Reddit"),
    (X_PIXEL, "marketing", "X (Twitter)"),
    (MATOMO, "analytics", "Matomo"),
    (HUBSPOT, "analytics", "HubSpot"),
    (SEGMENT, "analytics", "Segment"),
    (MIXPANEL, "analytics", "Mixpanel"),
    (AMPLITUDE, "analytics", "Amplitude"),
    (YANDEX, "analytics", "Yandex Metrica"),
    (BAIDU, "analytics", "Baidu Tongji"),
    (NAVER, "analytics", "Naver Analytics"),
    (KAKAO, "marketing", "Kakao"),
    (LINE, "marketing", "LINE"),
    (INTERCOM, "preferences", "Intercom"),
])
def test_vendor_snippets_are_recognised(
    classifier: Classifier, code: str, category: str, vendor: str
) -> None:
    found = classifier.inline_script(code)
    assert (found.category, found.vendor, found.kind, found.source) == (
        category, vendor, "script", "catalogue")
    assert found.rule.startswith('snippet "')


@pytest.mark.parametrize("code", [
    "document.querySelector('nav').classList.add('ready');",
    '{"@context": "https://schema.org", "@type": "Organization", "name": "Shop"}',
    "window.addEventListener('load', function () { console.log('gtag is not called'); });",
    "",
])
def test_ordinary_inline_scripts_are_unknown(classifier: Classifier, code: str) -> None:
    assert classifier.inline_script(code).category is None


def test_a_script_matching_several_signatures_takes_the_most_restrictive(
    classifier: Classifier,
) -> None:
    mixed = "__tcfapi('addEventListener', 2, function () {});\n" + META + "\n" + GTAG
    found = classifier.inline_script(mixed)
    assert (found.category, found.vendor) == ("marketing", "Meta")
    assert classifier.inline_script("__tcfapi('ping', 2, cb);").category == "necessary"
