"""The decisions app's views, by feature: documents (download, verify), panel sheets, project documents."""
