
BlogitsJ(a¾].†½Ê(Ï½8?¼ã¯Ï½Â¡ >vì‡½vhS½fÊ‡½BFP>