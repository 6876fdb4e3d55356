"""AES-256 (PDF 2.0 / ISO 32000-2 security handler revision 6) for the streamed packet.

``PdfWriter.encrypt(algorithm="AES-256")`` encrypts at ``write`` time, when every object is in
memory; the packet is written object by object, so it uses the same pypdf classes the writer
uses (``pypdf._encryption``), one object at a time. They are private: if pypdf moves them,
this import fails loudly (a test builds an encrypted packet and opens it with pypdf and
poppler), never silently writing an unencrypted file.
"""

from __future__ import annotations

from pypdf._encryption import EncryptAlgorithm, Encryption
from pypdf.constants import UserAccessPermissions
from pypdf.generic import DictionaryObject, PdfObject

#: Printing and copying text stay allowed: the password guards the file in transit and at
#: rest, not what an authorised reader does with it.
PERMISSIONS = UserAccessPermissions.all()


class Encryptor:
    def __init__(self, password: str, file_id: bytes) -> None:
        self._encryption = Encryption.make(EncryptAlgorithm.AES_256, PERMISSIONS, file_id)
        #: The /Encrypt dictionary for the trailer (written unencrypted).
        self.entry: DictionaryObject = self._encryption.write_entry(password, password)

    def encrypt(self, obj: PdfObject, number: int) -> PdfObject:
        """An encrypted copy of the strings and streams of object ``number``."""
        return self._encryption.encrypt_object(obj, number, 0)
