// The scan desk (issue 3), being written.
