"""Protected mode's root side: the guard that keeps the limits of protected accounts outside their reach."""
