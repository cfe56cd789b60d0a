echo empty guest script
