"""Test doubles that stand in for outside services over real protocols (the fake FCM server, its credential,
a frozen server that accepts connections and never answers)."""
