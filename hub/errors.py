"""Errors the user can fix: a Japanese message for the screen, a stable code for the API."""

from __future__ import annotations


class HubError(Exception):
    status: int = 400
    code: str = "bad_request"
    message: str = "リクエストを処理できませんでした。"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        #: Per-field messages, keyed by the field name of the form or the JSON body.
        self.fields = fields or {}
        super().__init__(self.message)

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class InvalidInput(HubError):
    status = 400
    code = "invalid_input"
    message = "入力内容に誤りがあります。各項目のメッセージを確認してください。"


class Conflict(HubError):
    status = 409
    code = "conflict"
    message = "既に登録されています。"


class NotFound(HubError):
    status = 404
    code = "not_found"
    message = "お探しのページまたはデータは見つかりません。"


class Forbidden(HubError):
    status = 403
    code = "forbidden"
    message = "この操作を行う権限がありません。"


class AuthFailed(HubError):
    status = 401
    code = "login_failed"
    message = "ログインIDまたはパスワードが正しくありません。"


class AccountLocked(HubError):
    status = 423
    code = "account_locked"
    message = "ログインに続けて失敗したため、アカウントを一時的にロックしました。"
