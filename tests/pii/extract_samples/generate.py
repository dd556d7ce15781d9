#!/usr/bin/python3
"""Writes the extractor samples: examples/pii/{hr-letter.docx,exports.zip} (for `make demo`) and the fuzz seed
corpora under tests/pii/fuzz_corpus/{archive,ooxml,pdf,sqlite,text}. Deterministic (fixed zip timestamps); run from
the repository root: /usr/bin/python3 tests/pii/extract_samples/generate.py. All values are synthetic."""
import gzip
import io
import os
import sqlite3
import tarfile
import tempfile
import zipfile

STAMP = (2024, 5, 1, 0, 0, 0)


def zip_bytes(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT_DOCX = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
           'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
           'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
           'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+'
           'xml"/></Types>')
RELS_DOCX = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx(paragraphs):
    body = "".join(
        '<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % p.replace("&", "&amp;").replace("<", "&lt;")
        for p in paragraphs)
    document = '<?xml version="1.0" encoding="UTF-8"?><w:document %s><w:body>%s</w:body></w:document>' % (W, body)
    return zip_bytes([("[Content_Types].xml", CT_DOCX), ("_rels/.rels", RELS_DOCX), ("word/document.xml", document)])


def xlsx(sheet_name, rows):
    strings, cells_xml = [], []
    for r, row in enumerate(rows, 1):
        cells = ""
        for c, value in enumerate(row):
            strings.append(value)
            cells += '<c r="%s%d" t="s"><v>%d</v></c>' % (chr(ord("A") + c), r, len(strings) - 1)
        cells_xml.append('<row r="%d">%s</row>' % (r, cells))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    workbook = ('<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets><sheet name="%s" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>' % (ns, rns, sheet_name))
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    sst = '<?xml version="1.0" encoding="UTF-8"?><sst %s>%s</sst>' % (ns, "".join("<si><t>%s</t></si>" % s for s in strings))
    sheet = '<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s</sheetData></worksheet>' % (
        ns, "".join(cells_xml))
    return zip_bytes([("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", rels),
                      ("xl/sharedStrings.xml", sst), ("xl/worksheets/sheet1.xml", sheet)])


def pdf(pages):
    """A minimal PDF with one Helvetica text line per page and a correct xref table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = "BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.replace("(", "\\(").replace(")", "\\)")
        objects.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       "/Contents %d 0 R >>" % content)
        kids.append("%d 0 R" % len(objects))
    objects[1] = "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(kids), len(kids))
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body.encode())
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    # examples/pii: a letter from HR (docx) and a zipped export (a CSV and a gzipped log inside).
    write("examples/pii/hr-letter.docx", docx([
        "Human Resources - confirmation of employment",
        "Dear Ms Tan, we confirm your employment from 1 June 2024.",
        "For payroll we hold your NRIC S1234567D and the e-mail address mei.tan@sg-mail.sg.",
        "Salary is paid to IBAN DE89 3704 0044 0532 0130 00 on the last working day of the month.",
    ]))
    log = ("2024-05-02T09:14:03Z INFO signup email=nurul.aziz@my-mail.my ip=203.0.113.77\n"
           "2024-05-02T09:15:40Z WARN payment declined card 4539 1488 0343 6467\n")
    csv = ("id,name,email,national_id\n"
           "2001,Nurul Aziz,nurul.aziz@my-mail.my,850101-14-5678\n"
           "2002,Somchai Dee,somchai.d@th-mail.th,1-1012-00048-34-5\n")
    write("examples/pii/exports.zip", zip_bytes([
        ("exports/members.csv", csv),
        ("logs/app-2024-05-02.log.gz", gzip.compress(log.encode(), mtime=0)),
    ]))

    # fuzz seeds (small, valid and slightly broken)
    seeds = "tests/pii/fuzz_corpus"
    z = zip_bytes([("a.txt", "email li.wei@corp-mail.cn\n"), ("d/c.csv", "id,email\n1,li.wei@corp-mail.cn\n")])
    write(seeds + "/archive/small.zip", z)
    write(seeds + "/archive/truncated.zip", z[: len(z) // 2])
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as t:
        data = b"card 4539 1488 0343 6467\n"
        info = tarfile.TarInfo("log.txt")
        info.size, info.mtime = len(data), 0
        t.addfile(info, io.BytesIO(data))
    write(seeds + "/archive/small.tar.gz", gzip.compress(tar.getvalue(), mtime=0))
    write(seeds + "/archive/nested.zip", zip_bytes([("inner.zip", z)]))
    write(seeds + "/archive/json.zip", zip_bytes([
        ("a.json", '{"user": {"email": "li.wei@corp-mail.cn"}}'),
        ("b.ndjson", '{"x": 1}\n{"card": "4539 1488 0343 6467"}\nnot json\n'),
    ]))
    write(seeds + "/ooxml/small.docx", docx(["email li.wei@corp-mail.cn", "second paragraph"]))
    write(seeds + "/ooxml/small.xlsx", xlsx("People", [["name", "email"], ["Li", "li.wei@corp-mail.cn"]]))
    write(seeds + "/pdf/small.pdf", pdf(["hello", "email li.wei@corp-mail.cn"]))
    write(seeds + "/pdf/truncated.pdf", pdf(["email li.wei@corp-mail.cn"])[:200])
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "s.db")
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, note TEXT)")
        con.execute("INSERT INTO customers VALUES (1, 'li.wei@corp-mail.cn', 'card 4539 1488 0343 6467')")
        con.commit()
        con.close()
        with open(db, "rb") as f:
            write(seeds + "/sqlite/small.db", f.read())
    write(seeds + "/text/utf16le", b"\xff\xfe" + "email li.wei@corp-mail.cn\n".encode("utf-16-le"))
    write(seeds + "/text/utf16-odd", b"\xff\xfe" + "email li".encode("utf-16-le") + b"\x00")
    write(seeds + "/text/utf8", "身份证号码 11010519491231002X\n")


if __name__ == "__main__":
    main()
