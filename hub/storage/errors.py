"""Why an upload was refused or a stored file cannot be opened, in words staff can act on."""

from __future__ import annotations

from hub.errors import HubError

#: Stable codes for the API, with the message shown on screen. Each says what to do next.
REJECTIONS: dict[str, str] = {
    "too_large": "ファイルが大きすぎます（上限 {limit}）。ページを分けるか、解像度を下げてから"
    "アップロードしてください。",
    "empty_file": "ファイルが空です。内容のあるファイルを選んでください。",
    "unsupported_type": "このファイルの形式は受け付けていません。{allowed} のファイルを"
    "選んでください（ファイル名の拡張子ではなく、中身で判定しています）。",
    "docx_macro": "マクロを含む Word ファイル（.docm など）は受け付けていません。"
    "マクロを含まない Word 文書（.docx）として保存し直してください。",
    "docx_external": "外部のファイルや Web ページを参照する Word ファイルは受け付けていません。"
    "リンク・外部テンプレート・リンク貼り付けした画像などを削除してから保存し直してください。",
    "docx_entities": "Word ファイルの内部に安全でない定義（DOCTYPE・ENTITY 宣言）が含まれているため"
    "受け付けていません。Word で開いて保存し直したファイルをアップロードしてください。",
    "docx_encrypted": "パスワード付き（暗号化された）Word ファイルは受け付けていません。"
    "パスワードを解除してからアップロードしてください。",
    "docx_malformed": "Word ファイルが壊れているか、正しい Word 文書（.docx）ではありません。"
    "Word で開いて保存し直してください。",
    "zip_bomb": "展開すると極端に大きくなる Word ファイルのため受け付けていません。"
    "Word で開いて保存し直したファイルをアップロードしてください。",
    "pdf_encrypted": "パスワード付き（暗号化された）PDF は受け付けていません。"
    "パスワードを解除してからアップロードしてください。",
    "pdf_malformed": "PDF ファイルが壊れているか、正しい PDF ではありません。"
    "作成元のソフトで PDF を作り直してください。",
    "pdf_active_content": "JavaScript・自動実行・埋め込みファイルなどの動的な内容を含む PDF は"
    "受け付けていません。PDF を「印刷」機能で PDF に出力し直すか、紙に印刷して"
    "スキャンし直してください。",
    "image_malformed": "画像ファイルが壊れているか、途中で切れています。"
    "撮影またはスキャンし直してください。",
}


class UploadRejected(HubError):
    """A file was refused before anything was stored; ``code`` says why."""

    status = 400
    code = "upload_rejected"
    message = "ファイルを受け付けられませんでした。"

    def __init__(self, code: str, message: str | None = None, **params: str) -> None:
        text = message or REJECTIONS[code].format(**params)
        super().__init__(text, code=code)
        # The size cap answers like an HTTP body that is too large.
        self.status = 413 if code == "too_large" else 400


class StoredFileUnreadable(HubError):
    """A stored file is missing, was altered, or needs a key the hub no longer has."""

    status = 500
    code = "file_unreadable"
    message = (
        "保存されたファイルを開けませんでした（破損または改ざんの可能性があります）。"
        "システム管理者に連絡してください。"
    )
