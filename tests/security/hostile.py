"""The same hostile strings fed to every output the site writes (test_output_escaping.py):
markup, attribute breakers, script URLs, header and line injection, iCalendar and CSV
specials, and Unicode."""

SCRIPT = "<script>alert('summary')</script>"

HOSTILE_STRINGS = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</script><script>alert('json')</script>",
    "Line one\r\nBcc: victim@example.org",
    "Semi;colon, comma\\back\nslash",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "&amp; &lt;b&gt; ]]> <![CDATA[x]]>",
    "Zoë's café – łódź 東京 " + "x" * 90,
]
