"""Inspect the fonts of a PDF with pypdf (what `pdffonts` shows, without poppler)."""
from pypdf import PdfReader


def pdf_fonts(path):
    """List of (base font name, subtype, descendant subtype, embedded file key) per font."""
    out = []
    for page in PdfReader(str(path)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            f = ref.get_object()
            sub = f.get("/Subtype")
            desc_sub, embedded = None, None
            target = f
            if sub == "/Type0":
                target = f["/DescendantFonts"][0].get_object()
                desc_sub = target.get("/Subtype")
            fd = target.get("/FontDescriptor")
            if fd is not None:
                fd = fd.get_object()
                embedded = next((k for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in fd), None)
            out.append((str(f.get("/BaseFont")), str(sub), str(desc_sub), embedded))
    return out
