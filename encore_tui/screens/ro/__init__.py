"""The Returning Officer's screens: the review queue (`home`), a round's review with its checks
and differences (`review`), VVPAT verification (`vvpat`), result and declaration (`result`) and
their small forms (`forms`). The blind entry (the RO's spot check, the second keyer's double
entry) is `screens/blind.py`: an operator opens it too."""
