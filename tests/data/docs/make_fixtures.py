#!/usr/bin/env python3
"""Writes the document fixtures of tests/data/docs/ (the results are committed, so the tests
do not depend on this script or on qpdf).

    python3 tests/data/docs/make_fixtures.py      # from anywhere; needs qpdf for the
                                                  # two encrypted PDFs (Debian: qpdf)

The texts are short made-up excerpts in the style of an industry security guideline; they
quote no real publication. What each file is for is said where it is written.
"""
import io
import os
import shutil
import subprocess
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# --- Plain text -------------------------------------------------------------------------------
# Lines broken inside sentences (joined by the normaliser), half-width katakana, full-width
# alphanumerics, a wave dash, a hyphen used as a long vowel mark, list items, and a form feed
# between the two pages. "{TILDE}" is U+FF5E where the encoding has it, else U+301C.
GUIDELINE = """\
第1章 総則

1. 目的
本ガイドラインは、中小規模の事業者が情報セキュリティ対策を段階的に
進めるための基本的な考え方と具体的な実施事項を示すものである。
経営者は、情報セキュリティを経営上の課題として認識し、必要な予算と
人員を確保する。

2. 対象範囲
本ガイドラインは、ＡＢＣ１２３株式会社を含む会員企業の業務で利用する
サーバー、パソコン、ｽﾏｰﾄﾌｫﾝ等の情報機器を対象とする。
\f第2章 対策

・ソフトウェアの更新状況は、毎月１回、システム管理者が確認する。
・ウイルス対策ソフトを導入し、定義ファイルを常に最新の状態に保つ。
・パスワードは１０文字以上とし、他のサービスと同じものを使用しない。
問い合わせの受付時間は９時{TILDE}１７時とする。
バックアップはファイルサーバ-の全データを対象とし、週に１回、
外部媒体に保存する。
"""


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def text_fixtures():
    write("guideline.txt", GUIDELINE.replace("{TILDE}", "\uff5e").encode("utf-8"))
    # Windows-31J, as Windows writes it: the tilde is U+FF5E (0x8160).
    write("guideline.sjis.txt", GUIDELINE.replace("{TILDE}", "\uff5e").encode("cp932"))
    # EUC-JP has the wave dash U+301C (0xA1C1).
    write("guideline.eucjp.txt", GUIDELINE.replace("{TILDE}", "\u301c").encode("euc_jp"))
    # CR LF line ends and a byte order mark, as Notepad saves.
    write("guideline.bom-crlf.txt",
          b"\xef\xbb\xbf" + GUIDELINE.replace("{TILDE}", "\uff5e")
          .replace("\n", "\r\n").encode("utf-8"))
    # UTF-8 with one broken byte in the middle of a line: refused with its offset.
    good = "情報資産の台帳を作成し、年に１回見直す。\n".encode("utf-8") * 3
    write("invalid-utf8.txt", good + b"\xe6\x83" + "管理者を置く。\n".encode("utf-8"))
    write("empty.txt", b"")
    write("blank.txt", b" \n\n\t\n")


# --- Markdown ---------------------------------------------------------------------------------
MARKDOWN = """\
---
title: 情報セキュリティ対策ガイドライン（記載例）
---

# 第3章 組織的対策

## 3.1 体制

情報セキュリティ責任者を**必ず**任命し、責任者は年に１回、対策の実施状況を
[チェックシート](https://example.jp/check)で確認する。

- 従業員への教育を年２回実施する
- 退職者のアカウントは退職日に削除する

> 重要：インシデントが発生した場合は、速やかに`相談窓口`へ報告する。

| 項目 | 担当 |
|---|---|
| 教育 | 総務部 |
"""


def markdown_fixtures():
    write("guideline.md", MARKDOWN.encode("utf-8"))


# --- DOCX -------------------------------------------------------------------------------------
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""


def para(*runs, ppr=""):
    return "<w:p>%s%s</w:p>" % (ppr, "".join(runs))


def run(text=None, inner=""):
    if text is None:
        return "<w:r>%s</w:r>" % inner
    return '<w:r>%s<w:t xml:space="preserve">%s</w:t></w:r>' % (inner, text)


def document_xml(body):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="%s" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            "<w:body>%s<w:sectPr/></w:body></w:document>" % (W, body))


def put(z, name, data):
    """Adds a member with a fixed time, so the fixtures come out the same on every run."""
    info = zipfile.ZipInfo(name, date_time=(2024, 4, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data, compresslevel=9)


def docx(document, extra=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        put(z, "[Content_Types].xml", CONTENT_TYPES)
        put(z, "_rels/.rels", RELS)
        put(z, "word/document.xml", document)
        for name, data in (extra or {}).items():
            put(z, name, data)
    return buf.getvalue()


def docx_fixtures():
    body = "".join([
        para(run("第4章 技術的対策")),
        # A paragraph split into runs, with a tab and a rendered break Word left behind
        # (ignored: it is not an explicit page break).
        para(run("サーバーへの"), run("アクセスは、"), run(inner="<w:lastRenderedPageBreak/>"),
             run("担当者ごとに"), run(inner="<w:tab/>"), run("IDを発行して管理する。")),
        # Tracked deletion and a field code: neither is text.
        para(run("ログは"), '<w:del><w:r><w:delText>削除された文</w:delText></w:r></w:del>',
             run(inner='<w:instrText xml:space="preserve"> PAGE </w:instrText>'),
             run("３か月以上保存する。")),
        # A soft line break inside a paragraph.
        para(run("重要なデータは"), run(inner="<w:br/>"), run("暗号化して保存する。")),
        # A text box whose text Word also writes as a VML fallback: read once.
        para('<mc:AlternateContent><mc:Choice Requires="wps">'
             + run("【注意】不審なメールの添付ファイルは開かない。")
             + "</mc:Choice><mc:Fallback>"
             + run("【注意】不審なメールの添付ファイルは開かない。")
             + "</mc:Fallback></mc:AlternateContent>"),
        # An explicit page break: page 2 starts here.
        para(run(inner='<w:br w:type="page"/>')),
        para(run("第5章 物理的対策")),
        "<w:tbl><w:tr><w:tc>%s</w:tc><w:tc>%s</w:tc></w:tr></w:tbl>"
        % (para(run("入退室管理")), para(run("ICカードで記録する。"))),
        # A paragraph that asks for a page of its own: page 3.
        para(run("附則"), ppr="<w:pPr><w:pageBreakBefore/></w:pPr>"),
        para(run("本ガイドラインは、令和６年４月１日から施行する。")),
    ])
    write("guideline.docx", docx(document_xml(body)))

    # Paragraphs with no text at all.
    write("notext.docx", docx(document_xml(para() + para(run(inner="<w:tab/>")) + para())))

    # A ZIP that is not a DOCX.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        put(z, "readme.txt", "not a word document")
    write("not-docx.zip", buf.getvalue())

    # A document type declaration with nested entities ("billion laughs"): refused before
    # any entity is expanded.
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE w:document [\n<!ENTITY a "lollollollollol">\n'
           + "".join('<!ENTITY %s "%s">\n' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10)
                     for i in range(8))
           + ']>\n<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p>'
           "</w:body></w:document>" % W)
    write("entities.docx", docx(lol))
    # A plain document type declaration, which a DOCX never has: refused.
    write("doctype.docx", docx(document_xml(para(run("本文"))).replace(
        "<w:document", "<!DOCTYPE w:document>\n<w:document", 1)))

    # ZIP bomb: 65 MiB of XML (over the default 64 MiB text limit) deflated to about 65 KB.
    # Its declared size is refused before anything is inflated; with a larger limit its
    # compression ratio is refused.
    head = document_xml("<w:p><w:r><w:t>")
    tail = "</w:t></w:r></w:p>"
    size = 65 * 1024 * 1024
    filler = b" " * (size - len(head) - len(tail))
    write("bomb.docx", docx_raw(head.encode() + filler + tail.encode()))

    # A ZIP entry that declares 4 KB and inflates to 8 MiB: the bytes actually read are
    # counted, so the lie is caught after 4 KB.
    big = head.encode() + b" " * (8 * 1024 * 1024) + tail.encode()
    write("lying.docx", lie_about_size(docx_raw(big), "word/document.xml", 4096))

    # Truncated: the first half of a real DOCX.
    data = docx(document_xml(body))
    write("truncated.docx", data[: len(data) // 2])


def docx_raw(document_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        put(z, "[Content_Types].xml", CONTENT_TYPES)
        put(z, "_rels/.rels", RELS)
        put(z, "word/document.xml", document_bytes)
    return buf.getvalue()


def lie_about_size(data, member, size):
    """Rewrites member's uncompressed size in its local header and central directory."""
    out = bytearray(data)
    name = member.encode()
    # Local file header: signature PK\3\4, size at offset 22, name at 30.
    i = out.find(b"PK\x03\x04")
    while i >= 0:
        n = int.from_bytes(out[i + 26:i + 28], "little")
        if out[i + 30:i + 30 + n] == name:
            out[i + 22:i + 26] = size.to_bytes(4, "little")
        i = out.find(b"PK\x03\x04", i + 4)
    # Central directory header: signature PK\1\2, size at offset 24, name at 46.
    i = out.find(b"PK\x01\x02")
    while i >= 0:
        n = int.from_bytes(out[i + 28:i + 30], "little")
        if out[i + 46:i + 46 + n] == name:
            out[i + 24:i + 28] = size.to_bytes(4, "little")
        i = out.find(b"PK\x01\x02", i + 4)
    return bytes(out)


# --- PDF --------------------------------------------------------------------------------------
# A hand-written PDF: a Type0 font with Identity-H encoding whose CIDs are the Unicode code
# points, and a ToUnicode map saying so, which is all a text extractor needs (the font is
# not embedded; viewers substitute one). Three pages with a running header, a footer line
# and a page-number footer; body lines broken in the middle of sentences.
HEADER = "情報セキュリティ対策ガイドライン（記載例） 第1.0版"
FOOTER = "一般社団法人 サンプル工業会"
PAGES = [
    ["第1章 はじめに",
     "本書は、会員企業が取引先と情報をやり取りする際に",
     "守るべき最低限の対策を、段階別の記載例として示す",
     "ものである。",
     "各社は、自社の規模と業務に応じて対策を選択する。"],
    ["第2章 対策の記載例",
     "(1) 情報セキュリティ責任者は、年に１回、全従業員を",
     "対象とした教育を実施し、その記録を保存する。",
     "(2) 社外から社内ネットワークへ接続する場合は、",
     "多要素認証を用いる。"],
    ["第3章 インシデント対応",
     "ウイルス感染が疑われる場合、従業員は当該端末を",
     "ネットワークから切り離し、直ちに責任者へ報告する。",
     "責任者は、被害の範囲を確認し、必要に応じて取引先へ",
     "連絡する。"],
]


def pdf_string(text):
    return "<" + "".join("%04X" % ord(c) for c in text) + ">"


def tounicode(chars):
    highs = sorted({ord(c) >> 8 for c in chars})
    ranges = ["<%02X00> <%02XFF> <%02X00>" % (h, h, h) for h in highs]
    body = []
    for k in range(0, len(ranges), 100):
        chunk = ranges[k:k + 100]
        body.append("%d beginbfrange\n%s\nendbfrange" % (len(chunk), "\n".join(chunk)))
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(body)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


def make_pdf(pages):
    objects = []

    def add(data):
        objects.append(data if isinstance(data, bytes) else data.encode("latin-1"))
        return len(objects)

    def stream(data, extra=""):
        raw = data if isinstance(data, bytes) else data.encode("latin-1")
        comp = zlib.compress(raw)
        return (("<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(comp), extra))
                .encode("latin-1") + comp + b"\nendstream")

    chars = set()
    contents = []
    for number, lines in enumerate(pages, 1):
        items = [(56, 800, 9, HEADER)]
        y = 760
        for line in lines:
            items.append((56, y, 10.5, line))
            y -= 18
        items.append((56, 56, 9, FOOTER))
        items.append((280, 36, 9, "- %d -" % number))
        ops = []
        for x, yy, size, text in items:
            chars.update(text)
            ops.append("BT /F1 %s Tf 1 0 0 1 %d %d Tm %s Tj ET" % (size, x, yy, pdf_string(text)))
        contents.append("\n".join(ops))

    catalog = add("<< /Type /Catalog /Pages 2 0 R >>")
    pages_id = add("")  # filled below
    cmap = add(stream(tounicode(chars)))
    desc = add("<< /Type /FontDescriptor /FontName /IPAGothic /Flags 4 "
               "/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 "
               "/CapHeight 700 /StemV 80 >>")
    cid = add("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /IPAGothic "
              "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
              "/FontDescriptor %d 0 R /DW 1000 /W [32 [250] 33 126 500] "
              "/CIDToGIDMap /Identity >>" % desc)
    font = add("<< /Type /Font /Subtype /Type0 /BaseFont /IPAGothic /Encoding /Identity-H "
               "/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid, cmap))
    kids = []
    for content in contents:
        c = add(stream(content))
        kids.append(add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                        "/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                        % (font, c)))
    objects[pages_id - 1] = ("<< /Type /Pages /Kids [%s] /Count %d >>"
                             % (" ".join("%d 0 R" % k for k in kids), len(kids))).encode()
    assert catalog == 1 and pages_id == 2

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, data in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + data + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


def pdf_fixtures():
    pdf = make_pdf(PAGES)
    write("guideline.pdf", pdf)
    # Damaged beyond repair: a header and half an object.
    write("corrupt.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nstream\n\x00\xff")
    # A PDF of one page with no text (only a drawn rectangle), like a scan.
    write("notext.pdf", make_blank_pdf())
    qpdf = shutil.which("qpdf")
    if not qpdf:
        print("qpdf not found: encrypted PDFs not regenerated", file=sys.stderr)
        return
    src = os.path.join(HERE, "guideline.pdf")
    # Needs a password to open: refused.
    subprocess.run([qpdf, "--static-id", "--encrypt", "user-pw", "owner-pw", "256", "--",
                    src, os.path.join(HERE, "encrypted.pdf")], check=True)
    # Owner password only (copy restrictions, no password to open): read.
    subprocess.run([qpdf, "--static-id", "--encrypt", "", "owner-pw", "256", "--extract=n",
                    "--", src, os.path.join(HERE, "owner-only.pdf")], check=True)


def make_blank_pdf():
    content = b"0 0 1 rg 100 100 200 200 re f"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, data in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + data + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def main():
    text_fixtures()
    markdown_fixtures()
    docx_fixtures()
    pdf_fixtures()


if __name__ == "__main__":
    main()
