"""What the pages show, decided outside the pages: the selection and derivation rules of a board
(which indicators, which alerts, which map), built from ``data_access`` reads and ``components``
figures. Kept out of ``dashboards/`` because Dash imports every module there as a page."""
