"""ケース会議 (case conferences): proposals, slot polls, invitations with .ics, minutes."""
