AS_END = "DATE '1998-08-03'"
NAT = "customer c JOIN nation n ON c.c_nationkey = n.n_nationkey JOIN region r ON n.n_regionkey = r.r_regionkey"
REQS = [
 ("R1", "customers in the AUTOMOBILE segment from FRANCE who ordered more than 3 times in 1997",
  f"""SELECT count(*) FROM {NAT} WHERE c_mktsegment='AUTOMOBILE' AND n_name='FRANCE'
      AND (SELECT count(*) FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1997-01-01' AND o_orderdate < DATE '1998-01-01') > 3"""),
 ("R2", "clients d'Europe ayant commandé pour plus de 200 000 $ en 1998",
  f"""SELECT count(*) FROM {NAT} WHERE r_name='EUROPE'
      AND (SELECT sum(o_totalprice) FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1998-01-01' AND o_orderdate < {AS_END}) > 200000"""),
 ("R3", "German customers in the machinery segment who have not ordered in the last 6 months",
  f"""SELECT count(*) FROM {NAT} WHERE n_name='GERMANY' AND c_mktsegment='MACHINERY'
      AND NOT EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1998-02-03' AND o_orderdate < {AS_END})"""),
 ("R4", "clients du secteur bâtiment en Asie avec un solde inférieur à 0 $",
  f"""SELECT count(*) FROM {NAT} WHERE c_mktsegment='BUILDING' AND r_name='ASIA' AND c_acctbal < 0"""),
 ("R5", "customers who ordered Brand#23 parts at least twice in 1996",
  f"""SELECT count(*) FROM customer c WHERE (SELECT count(*) FROM orders o WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1996-01-01' AND o_orderdate < DATE '1997-01-01'
      AND EXISTS (SELECT 1 FROM lineitem JOIN part ON l_partkey=p_partkey WHERE l_orderkey=o.o_orderkey AND p_brand='Brand#23')) >= 2"""),
 ("R6", "clients japonais ayant passé au moins une commande urgente en 1995",
  f"""SELECT count(*) FROM {NAT} WHERE n_name='JAPAN' AND EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderpriority='1-URGENT'
      AND o_orderdate >= DATE '1995-01-01' AND o_orderdate < DATE '1996-01-01')"""),
 ("R7", "big spenders in the Middle East",
  f"""WITH s AS (SELECT o_custkey k, sum(o_totalprice)::DOUBLE v FROM orders JOIN customer ON o_custkey=c_custkey
        WHERE o_orderdate >= DATE '1997-08-03' AND o_orderdate < {AS_END} GROUP BY 1),
      t AS (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY v) th FROM s)
      SELECT count(*) FROM {NAT} JOIN s ON s.k=c_custkey, t WHERE r_name='MIDDLE EAST' AND s.v >= t.th"""),
 ("R8", "clients à réactiver en Amérique",
  f"""SELECT count(*) FROM {NAT} WHERE r_name='AMERICA' AND EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderdate < {AS_END})
      AND NOT EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1997-08-03' AND o_orderdate < {AS_END})"""),
 ("R9", "customers with an average order value over $250,000 in 1997",
  f"""SELECT count(*) FROM customer c WHERE (SELECT avg(o_totalprice) FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1997-01-01' AND o_orderdate < DATE '1998-01-01') > 250000"""),
 ("R10", "clients du Royaume-Uni ou d'Allemagne qui n'ont jamais commandé",
  f"""SELECT count(*) FROM {NAT} WHERE n_name IN ('UNITED KINGDOM','GERMANY') AND NOT EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderdate < {AS_END})"""),
 ("R11", "customers who had an order shipped by air in the last 3 months",
  f"""SELECT count(*) FROM customer c WHERE EXISTS (SELECT 1 FROM orders o JOIN lineitem ON l_orderkey=o_orderkey WHERE o_custkey=c_custkey AND l_shipmode='AIR'
      AND o_orderdate >= DATE '1998-05-03' AND o_orderdate < {AS_END})"""),
 ("R12", "clients du segment ameublement ayant commandé auprès de fournisseurs chinois en 1994",
  f"""SELECT count(*) FROM customer c WHERE c_mktsegment='FURNITURE' AND EXISTS (SELECT 1 FROM orders o JOIN lineitem ON l_orderkey=o_orderkey JOIN supplier ON l_suppkey=s_suppkey
      JOIN nation sn ON s_nationkey=sn.n_nationkey WHERE o_custkey=c_custkey AND sn.n_name='CHINA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01')"""),
 ("R13", "repeat customers in Brazil with an account balance over $5,000",
  f"""SELECT count(*) FROM {NAT} WHERE n_name='BRAZIL' AND c_acctbal > 5000
      AND (SELECT count(*) FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1997-08-03' AND o_orderdate < {AS_END}) >= 2"""),
 ("R14", "clients qui ont retourné une commande en 1993",
  f"""SELECT count(*) FROM customer c WHERE EXISTS (SELECT 1 FROM orders o JOIN lineitem ON l_orderkey=o_orderkey WHERE o_custkey=c_custkey AND l_returnflag='R'
      AND o_orderdate >= DATE '1993-01-01' AND o_orderdate < DATE '1994-01-01')"""),
 ("R15", "customers with an open order over $300,000",
  f"""SELECT count(*) FROM customer c WHERE EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderstatus='O' AND o_totalprice > 300000 AND o_orderdate < {AS_END})"""),
 ("R16", "clients de la région Afrique qui ont commandé entre 5 et 10 fois",
  f"""SELECT count(*) FROM {NAT} WHERE r_name='AFRICA'
      AND (SELECT count(*) FROM orders WHERE o_custkey=c_custkey AND o_orderdate < {AS_END}) BETWEEN 5 AND 10"""),
 ("R17", "customers whose first order was in 1998",
  f"""SELECT count(*) FROM customer c WHERE (SELECT min(o_orderdate) FROM orders WHERE o_custkey=c_custkey AND o_orderdate < {AS_END}) >= DATE '1998-01-01'"""),
 ("R18", "household customers in India or Indonesia whose last order was more than 2 years ago",
  f"""SELECT count(*) FROM {NAT} WHERE c_mktsegment='HOUSEHOLD' AND n_name IN ('INDIA','INDONESIA')
      AND (SELECT max(o_orderdate) FROM orders WHERE o_custkey=c_custkey AND o_orderdate < {AS_END}) < DATE '1996-08-03'"""),
]
REQS += [
 ("R19", "customers in Brazil with an account balance over $5,000",
  f"""SELECT count(*) FROM {NAT} WHERE n_name='BRAZIL' AND c_acctbal > 5000"""),
 ("R20", "clients dont la plus grosse commande en cours dépasse 300 000 $",
  f"""SELECT count(*) FROM customer c WHERE EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderstatus='O' AND o_totalprice > 300000 AND o_orderdate < {AS_END})"""),
 ("R21", "customers who ordered from Germany in 1998",
  f"""SELECT count(*) FROM {NAT} WHERE n_name='GERMANY' AND EXISTS (SELECT 1 FROM orders WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1998-01-01' AND o_orderdate < {AS_END})"""),
 ("R22", "clients allemands qui ont acheté des pièces en laiton l'an dernier",
  f"""SELECT count(*) FROM {NAT} WHERE n_name='GERMANY' AND EXISTS (SELECT 1 FROM orders o JOIN lineitem ON l_orderkey=o_orderkey JOIN part ON l_partkey=p_partkey
      WHERE o_custkey=c_custkey AND p_type LIKE '%BRASS' AND o_orderdate >= DATE '1997-01-01' AND o_orderdate < DATE '1998-01-01')"""),
]
REQS += [
 ("R23", "customers whose first order was in 1993",
  f"""SELECT count(*) FROM customer c WHERE (SELECT min(o_orderdate) FROM orders WHERE o_custkey=c_custkey AND o_orderdate < {AS_END}) >= DATE '1993-01-01'
      AND (SELECT min(o_orderdate) FROM orders WHERE o_custkey=c_custkey) < DATE '1994-01-01'"""),
 ("R24", "clients européens qui ont commandé au moins 5 fois par bateau depuis 1996",
  f"""SELECT count(*) FROM {NAT} WHERE r_name='EUROPE' AND (SELECT count(*) FROM orders o WHERE o_custkey=c_custkey AND o_orderdate >= DATE '1996-01-01' AND o_orderdate < {AS_END}
      AND EXISTS (SELECT 1 FROM lineitem WHERE l_orderkey=o.o_orderkey AND l_shipmode='SHIP')) >= 5"""),
]
