"""連携状況等確認: the collaboration-status report — counts only, small cells suppressed."""
