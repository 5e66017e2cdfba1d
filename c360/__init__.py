"""c360: a warehouse-native Customer Data Platform."""
