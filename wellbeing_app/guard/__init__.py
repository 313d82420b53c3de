"""Protected mode's root side: the guard that keeps a child's limits outside the child's account."""
