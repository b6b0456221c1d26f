"""Synthetic demo dataset of a French omnichannel retailer."""
