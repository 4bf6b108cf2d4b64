"""The charging-station agent of mchs_bodycam (Order No. 495, items 10, 11)."""
