"""The crawl's HTML reading: what a browser would send for a form, its date inputs, and the fields shown with an
error (so that a refused date is told from a saved one)."""

from tests.crawl.crawler import parse

PAGE = """<html lang="zh-hans"><body>
<a href="/console/">home</a><a href="mailto:x@example.test">mail</a>
<form method="post" action="/console/pricing/lists/1/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input name="name" value="基础价目表"><input type="date" name="valid_from" value="2026-01-01">
  <input type="checkbox" name="active" checked><input type="checkbox" name="off">
  <input name="disabled" value="x" disabled>
  <select name="kind"><option value="base">Base</option><option value="tier" selected>Tier</option></select>
  <select name="tier"><option value="">---</option><option value="1">A</option></select>
  <textarea name="note">
first line</textarea>
  <button type="submit" name="save" value="1">Save</button>
</form>
<div class="field invalid" id="field-valid_to"><input type="date" name="valid_to" value="2026/12/07"></div>
</body></html>"""


def test_the_form_is_read_as_a_browser_sends_it():
    page = parse(PAGE)
    assert page.language == "zh-hans"
    assert page.links == ["/console/", "mailto:x@example.test"]
    form = page.forms[0]
    assert (form.method, form.action) == ("post", "/console/pricing/lists/1/")
    assert form.fields == [("csrfmiddlewaretoken", "t"), ("name", "基础价目表"), ("valid_from", "2026-01-01"),
                           ("active", "on"), ("kind", "tier"), ("tier", ""), ("note", "first line")]
    assert form.dates == [("valid_from", "date", "2026-01-01")]
    assert form.submitted_by == ("save", "1")


def test_date_inputs_outside_a_form_and_fields_with_errors_are_seen():
    page = parse(PAGE)
    assert page.forms[1].dates == [("valid_to", "date", "2026/12/07")]
    assert page.invalid_fields == {"valid_to"}
