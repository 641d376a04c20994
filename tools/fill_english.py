"""English is the source language: its catalogue says each string as written in the code."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "accord" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> None:
    with PATH.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with PATH.open("wb") as handle:
        write_po(handle, catalog, width=0)


if __name__ == "__main__":
    main()
